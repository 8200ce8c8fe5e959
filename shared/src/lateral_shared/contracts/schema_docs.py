"""The tables of `docs/data-schema.md`, generated from the schema so the page cannot drift from it.

The page marks each generated table with `<!-- BEGIN GENERATED: name -->` and
`<!-- END GENERATED: name -->`; a test fails when a table is out of date. Rewrite them with
`.venv/bin/python -m lateral_shared.contracts.schema_docs docs/data-schema.md`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .records import AgencyKind, PartnerRecord
from .schema import ADDRESS_LINE_COLUMNS, COLUMNS, schema_id
from .vocabulary import ATTEND_CODE_MEANINGS, KIND_SPECS, SCHEMA_VERSION

_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n).*?(<!-- END GENERATED: \2 -->)", re.S)


def fields_table() -> str:
    """Every field: its CSV column, its JSON field, its limit and what to put in it."""
    rows = ["| CSV column | JSON field | limit | what to put in it |", "| --- | --- | --- | --- |"]
    for column in COLUMNS:
        if column.name in ADDRESS_LINE_COLUMNS[1:]:
            continue  # the four line columns share one row
        name = column.name
        if name == ADDRESS_LINE_COLUMNS[0]:
            name = " … ".join((ADDRESS_LINE_COLUMNS[0], ADDRESS_LINE_COLUMNS[-1]))
        rows.append(f"| `{name}` | `{column.path}` | {_limit(column.path)} | "
                    f"{column.description} |")  # fmt: skip
    return "\n".join(rows)


def kinds_table() -> str:
    """Per agency kind: its event types, categories, and which parts a record must have."""
    rows = [
        "| agency kind | event types | category | attend_code | person | address |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind, spec in KIND_SPECS.items():
        category = "—"
        if spec.categories:
            required = _codes(spec.category_required_for) or "no event type"
            category = f"one of {_codes(spec.categories)}; required for {required}"
        attend = (
            f"required for {_codes(spec.attend_code_required_for)}"
            if spec.attend_code_required_for
            else "—"
        )
        person = (
            "required (a surname, an NHS number or a person_ref)"
            if spec.needs_person
            else "optional"
        )
        address = "required (a line, a postcode or a UPRN)" if spec.needs_address else "optional"
        rows.append(f"| `{kind.value}` | {_codes(spec.event_types)} | {category} | {attend} | "
                    f"{person} | {address} |")  # fmt: skip
    return "\n".join(rows)


def attend_codes_table() -> str:
    """The NHS attended or did not attend codes a missed appointment may carry."""
    rows = ["| attend_code | meaning |", "| --- | --- |"]
    rows += [f"| `{code}` | {meaning} |" for code, meaning in ATTEND_CODE_MEANINGS.items()]
    return "\n".join(rows)


def version_line() -> str:
    """The schema version and the `$id`s of the JSON Schemas."""
    kinds = ", ".join(f"`{kind.value}`" for kind in AgencyKind)
    pattern = schema_id(AgencyKind.HEALTH).replace(AgencyKind.HEALTH.value, "<agency kind>")
    return f"Schema version **{SCHEMA_VERSION}**. JSON Schema `$id`: `{pattern}` for {kinds}."


GENERATED: dict[str, Callable[[], str]] = {
    "version": version_line,
    "fields": fields_table,
    "kinds": kinds_table,
    "attend_codes": attend_codes_table,
}


def render(page: str) -> str:
    """The page with every generated block replaced by its current content."""

    def block(match: re.Match[str]) -> str:
        return f"{match.group(1)}{GENERATED[match.group(2)]()}\n{match.group(3)}"

    return _BLOCK.sub(block, page)


def _codes(values: tuple[object, ...]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _limit(path: str) -> str:
    """The length limit of a field, read from `PartnerRecord`'s JSON Schema."""
    schema = PartnerRecord.model_json_schema()
    node: dict[str, Any] = schema
    for part in path.split("."):
        node = node["properties"].get(part, {}) if "properties" in node else {}
        node = next((b for b in node.get("anyOf", [node]) if b.get("type") != "null"), node)
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if node.get("type") == "array":
        return f"up to {node['maxItems']}, each up to {node['items']['maxLength']} characters"
    if "maxLength" in node:
        return f"up to {node['maxLength']} characters"
    return _OTHER_LIMITS.get(path, "")


_OTHER_LIMITS = {
    "action": "`upsert` or `withdraw`",
    "status": "`open` or `closed`",
    "event_date": "a date",
    "end_date": "a date",
    "attend_code": "a whole number",
    "person.date_of_birth": "a date, or part of one",
    "address.uprn": "1-12 digits",
}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/data-schema.md")
    target.write_text(render(target.read_text()))
