"""The published data schema: the CSV layout, and a JSON Schema per agency kind.

Both are generated from `PartnerRecord` (shapes and length limits) and `KIND_SPECS` (event types,
categories, what each kind must carry), so the schema partners write against cannot drift from
what the gateway checks. `docs/data-schema.md` explains it; its tables come from `schema_docs`.
The version is `SCHEMA_VERSION`: adding an optional field or a value is compatible (1.x);
removing or renaming one, or making a field required, is a new major version.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from .records import AgencyKind, PartnerRecord
from .vocabulary import ATTEND_CODES, KIND_SPECS, SCHEMA_VERSION, KindSpec

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
OTHER_NAMES_SEPARATOR: Final = ";"
ADDRESS_LINE_COLUMNS: Final = tuple(f"address_line_{n}" for n in range(1, 5))


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, the JSON field it fills, and what a partner puts in it."""

    name: str
    path: str  # the JSON field path; the four address line columns all fill "address.lines"
    description: str


_LINE = "Address as free text, one part per column (flat, number and street, locality, town)."
COLUMNS: Final = (
    Column("action", "action", "`upsert` (or blank) to add or change the record; `withdraw` "
           "when it was deleted at source: then only `source_record_id` is needed."),
    Column("source_record_id", "source_record_id", "Your ID for this record, unique in the feed "
           "and the same in every extract: 1-64 characters, no spaces or `/`."),
    Column("event_type", "event_type", "What happened: one of the agency kind's event types."),
    Column("event_date", "event_date", "When it started or happened (referral, plan start, "
           "attendance, call), `YYYY-MM-DD`; not in the future."),
    Column("status", "status", "`open` or `closed`."),
    Column("end_date", "end_date", "When it ended, `YYYY-MM-DD`: only on a closed record; not "
           "before `event_date`, not in the future."),
    Column("category", "category", "Police and fire: what kind of call or incident."),
    Column("attend_code", "attend_code", "Health missed appointments: the NHS attended or did "
           "not attend code."),
    Column("forename", "person.forename", "Forename (given name)."),
    Column("middle_names", "person.middle_names", "Middle names."),
    Column("surname", "person.surname", "Surname (family name)."),
    Column("other_names", "person.other_names", "Other names the person is known by (aliases, "
           "earlier surnames); in CSV separated by `;`."),
    Column("date_of_birth", "person.date_of_birth", "`YYYY-MM-DD`, or `YYYY-MM` or `YYYY` when "
           "only part is known; not before 1900, not in the future."),
    Column("gender", "person.gender", "As your system records it; Lateral maps it to male, "
           "female, other or unknown."),
    Column("nhs_number", "person.nhs_number", "10 digits, spaces allowed. A number failing the "
           "check digit is flagged and left out of matching; the row is still accepted."),
    Column("person_ref", "person.person_ref", "Your ID for the person, if your system has one."),
    *(Column(name, "address.lines", _LINE) for name in ADDRESS_LINE_COLUMNS),
    Column("postcode", "address.postcode", "UK postcode, any case, space optional. NHS "
           "pseudo-postcodes (`ZZ99 3VZ` no fixed abode, `ZZ99 3WZ` not known) and BFPO accepted."),
    Column("uprn", "address.uprn", "Unique Property Reference Number, if you hold it: 1-12 "
           "digits."),
    Column("lead_professional_name", "lead_professional.name", "Whom to contact about the record."),
    Column("lead_professional_team", "lead_professional.team", "Their team."),
    Column("lead_professional_phone", "lead_professional.phone", "Their work phone number."),
    Column("lead_professional_email", "lead_professional.email", "Their work e-mail address."),
)  # fmt: skip
CSV_COLUMNS: Final = tuple(column.name for column in COLUMNS)
_PATH_OF: Final = {column.name: column.path for column in COLUMNS}

# REFERENCE.md: the normalised forms (upper case, one space before the inward code).
POSTCODE_PATTERN: Final = (
    r"^(?:GIR 0AA|[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
PSEUDO_POSTCODE_PATTERN: Final = r"^ZZ99 [0-9][A-Z]Z$"
BFPO_PATTERN: Final = r"^BFPO ?[0-9]{1,4}$"
_POSTCODE_FORMS = tuple(
    re.compile(p) for p in (POSTCODE_PATTERN, PSEUDO_POSTCODE_PATTERN, BFPO_PATTERN)
)
# The same forms as partners may write them (any case, the space optional), for the JSON Schema;
# a test keeps it in step with `is_valid_postcode`.
POSTCODE_JSON_PATTERN: Final = (
    r"^(?:[Gg][Ii][Rr] ?0[Aa][Aa]|[A-PR-UWYZa-pr-uwyz](?:[0-9][0-9]?|[A-HK-Ya-hk-y][0-9][0-9]?"
    r"|[0-9][A-HJKPSTUWa-hjkpstuw]|[A-HK-Ya-hk-y][0-9][ABEHMNPRVWXYabehmnprvwxy])"
    r" ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|[Zz][Zz]99 ?[0-9][A-Za-z][Zz]"
    r"|[Bb][Ff][Pp][Oo] ?[0-9]{1,4})$"
)
UPRN_PATTERN: Final = r"^[0-9]{1,12}$"
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
EMAIL_PATTERN: Final = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # loose on purpose: catches a name or a phone
PHONE_PATTERN: Final = r"^\+?[0-9 ().-]{6,24}(?: ?(?:ext|x)\.? ?[0-9]{1,6})?$"


def normalise_postcode(raw: str) -> str:
    """Upper case, no white space, then one space before the last three characters."""
    compact = "".join(raw.split()).upper()
    if compact.startswith("BFPO") or not 5 <= len(compact) <= 7:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(raw: str) -> bool:
    """True for a UK postcode, an NHS pseudo-postcode or a BFPO number, in any case or spacing."""
    postcode = normalise_postcode(raw)
    return any(form.match(postcode) for form in _POSTCODE_FORMS)


def normalise_column(name: str) -> str:
    """A CSV header cell as compared with `CSV_COLUMNS`: no BOM, no outer spaces, lower case."""
    return name.lstrip("\ufeff").strip().lower()


def csv_row_to_record(cells: Mapping[str, str]) -> dict[str, Any]:
    """The JSON record shape of a CSV row: blank cells left out, other names split on `;`.

    Unknown columns are ignored here (the header check reports them). `agency_kind` is not a
    column: it is the feed's.
    """
    record: dict[str, Any] = {}
    for column, cell in cells.items():
        name, value = normalise_column(column), (cell or "").strip()
        path = _PATH_OF.get(name)
        if not value or path is None:
            continue
        if name == "other_names":
            names = [part.strip() for part in value.split(OTHER_NAMES_SEPARATOR)]
            _put(record, path, [part for part in names if part])
        elif path == "address.lines":
            record.setdefault("address", {}).setdefault("lines", []).append((name, value))
        else:
            _put(record, path, value)
    if "lines" in record.get("address", {}):
        # Lines in column order, whatever order the columns came in.
        record["address"]["lines"] = [value for _, value in sorted(record["address"]["lines"])]
    return record


def csv_column(path: str, cells: Mapping[str, str]) -> str:
    """The CSV column a JSON field path came from ("person.surname" → "surname").

    "address.lines[i]" is the i-th address line column that was filled in. A rule about a whole
    part names the column a partner most likely has to fill in: `surname` for "person" (it needs
    a surname, an NHS number or a person_ref), `address_line_1` for "address".
    """
    if path in _PART_COLUMNS:
        return _PART_COLUMNS[path]
    match = re.fullmatch(r"address\.lines\[(\d+)\]", path)
    if match:
        filled = [c for c in ADDRESS_LINE_COLUMNS if (_cell(cells, c) or "").strip()]
        index = int(match.group(1))
        return filled[index] if index < len(filled) else ADDRESS_LINE_COLUMNS[0]
    bare = re.sub(r"\[\d+\]$", "", path)
    for column in COLUMNS:
        if column.path == bare or column.path.startswith(f"{bare}."):
            return column.name
    return path


_PART_COLUMNS: Final = {"person": "surname", "address": "address_line_1"}


def _cell(cells: Mapping[str, str], column: str) -> str | None:
    return next((v for k, v in cells.items() if normalise_column(k) == column), None)


def _put(record: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        record = record.setdefault(part, {})
    record[leaf] = value


def schema_id(kind: AgencyKind) -> str:
    """The `$id` of a kind's JSON Schema; it changes with the schema version."""
    return f"urn:lateral:schema:partner-record:{kind.value}:{SCHEMA_VERSION}"


@cache
def _json_schema(kind: AgencyKind) -> dict[str, Any]:
    spec = KIND_SPECS[kind]
    generated = PartnerRecord.model_json_schema()
    defs: dict[str, Any] = generated.pop("$defs")
    _describe_and_tighten(generated, defs)
    defs["Record"] = _record_schema(generated, spec)
    defs["Withdrawal"] = _withdrawal_schema(kind)
    title = kind.value.replace("_", " ")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(kind),
        "title": f"Lateral partner record: {title}",
        "description": f"One record of a {title} feed, or a withdrawal "
        '({"action": "withdraw", "source_record_id": ...}). See docs/data-schema.md.',
        "version": SCHEMA_VERSION,
        "type": "object",
        "if": {"required": ["action"], "properties": {"action": {"const": "withdraw"}}},
        "then": {"$ref": "#/$defs/Withdrawal"},
        "else": {"$ref": "#/$defs/Record"},
        "$defs": defs,
    }


def json_schema(kind: AgencyKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record of a feed of this agency kind."""
    return copy.deepcopy(_json_schema(kind))


def _record_schema(generated: dict[str, Any], spec: KindSpec) -> dict[str, Any]:
    """PartnerRecord narrowed to one kind: its event types, categories and required parts."""
    props = generated["properties"]
    props["action"] = {"const": "upsert", "description": _PATH_DOCS["action"]}
    props["agency_kind"] = {"const": spec.kind.value, "description": "Optional: the feed's kind."}
    props["event_type"] = {**props["event_type"], "enum": list(spec.event_types)}
    for name, values in (("category", spec.categories), ("attend_code", _attend_codes(spec))):
        if values:
            props[name]["anyOf"][0] = {"enum": list(values)}
        else:
            del props[name]  # not part of this kind's records
    generated["required"] = [name for name in generated["required"] if name != "agency_kind"]
    generated["allOf"] = list(_kind_rules(spec))
    generated["description"] = "A record to add or change."
    return generated


def _attend_codes(spec: KindSpec) -> tuple[int, ...]:
    return ATTEND_CODES if spec.attend_code_required_for else ()


def _kind_rules(spec: KindSpec) -> Iterator[dict[str, Any]]:
    """The conditional rules of a kind, as JSON Schema `if`/`then` and `required` clauses."""
    yield _when({"status": {"const": "open"}}, {"properties": {"end_date": {"type": "null"}}})
    if spec.category_required_for:
        category = {
            "required": ["category"],
            "properties": {"category": {"enum": list(spec.categories)}},
        }
        yield _when({"event_type": {"enum": list(spec.category_required_for)}}, category)
    if spec.attend_code_required_for:
        codes = {
            "required": ["attend_code"],
            "properties": {"attend_code": {"enum": list(ATTEND_CODES)}},
        }
        rule = _when({"event_type": {"enum": list(spec.attend_code_required_for)}}, codes)
        yield {**rule, "else": {"properties": {"attend_code": {"type": "null"}}}}
    if spec.needs_person:
        who = [_filled(name) for name in ("surname", "nhs_number", "person_ref")]
        yield {"required": ["person"], "properties": {"person": {"anyOf": who}}}
    if spec.needs_address:
        line = {"required": ["lines"], "properties": {"lines": {"contains": {"pattern": r"\S"}}}}
        where = [{"type": "object", **line}, _filled("postcode"), _filled("uprn")]
        yield {"required": ["address"], "properties": {"address": {"anyOf": where}}}


def _when(condition: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    return {"if": {"required": list(condition), "properties": condition}, "then": then}


def _filled(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name],
        "properties": {name: {"type": "string", "pattern": r"\S"}},
    }


def _withdrawal_schema(kind: AgencyKind) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A record deleted at source: Lateral removes it.",
        "additionalProperties": False,
        "required": ["action", "source_record_id"],
        "properties": {
            "action": {"const": "withdraw"},
            "source_record_id": PartnerRecord.model_json_schema()["properties"]["source_record_id"],
            "agency_kind": {"const": kind.value},
        },
    }


_PATH_DOCS: Final = {
    **{column.path: column.description for column in COLUMNS},
    "person": "Who the record is about, as far as you know them.",
    "address": "Where it happened or where the person lives.",
    "lead_professional": "Whom a practitioner should call about this record.",
}
_TIGHTER: Final = {
    "end_date": {"pattern": DATE_PATTERN},
    "address.postcode": {"pattern": POSTCODE_JSON_PATTERN},
    "address.uprn": {"pattern": UPRN_PATTERN},
    "lead_professional.email": {"pattern": EMAIL_PATTERN},
    "lead_professional.phone": {"pattern": PHONE_PATTERN},
}


def _describe_and_tighten(generated: dict[str, Any], defs: dict[str, Any]) -> None:
    """Adds each column's description, and the format checks pydantic's shapes leave out."""
    generated["properties"]["event_date"]["pattern"] = DATE_PATTERN
    parts = {
        "person": "PersonFields",
        "address": "AddressFields",
        "lead_professional": "LeadProfessional",
    }
    for path, description in _PATH_DOCS.items():
        part, _, name = path.rpartition(".")
        properties = defs[parts[part]]["properties"] if part else generated["properties"]
        if name in properties:
            properties[name]["description"] = description
            branch = properties[name].get("anyOf", [properties[name]])[0]
            branch.update(_TIGHTER.get(path, {}))
