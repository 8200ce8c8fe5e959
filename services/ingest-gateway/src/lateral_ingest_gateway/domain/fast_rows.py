"""A fast path for the common case: a CSV row that is a valid upsert, built without pydantic.

`validate_csv_row` checks a row field by field and then runs pydantic over the whole record,
which costs most of a row's processing time. Most rows are valid, so `FastCsvRecords` first
makes cheap explicit checks that are each at least as strict as the published rules and the
`PartnerRecord` shape; when all pass it builds the record with `model_construct` (the same record
pydantic would have built). Anything it is not sure of — any problem, a withdrawal, an unusual
value — gives None, and the caller takes the full path, which finds and words every problem.
So this path never decides a row is wrong, and never changes an error message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from lateral_shared.contracts.records import (
    PARTIAL_DATE_PATTERN,
    AddressFields,
    AgencyKind,
    LeadProfessional,
    PartnerRecord,
    PersonFields,
    RecordStatus,
)
from lateral_shared.contracts.schema import (
    COLUMNS,
    DATE_PATTERN,
    EMAIL_PATTERN,
    OTHER_NAMES_SEPARATOR,
    PHONE_PATTERN,
    is_valid_postcode,
    normalise_column,
)
from lateral_shared.contracts.vocabulary import ATTEND_CODES, KIND_SPECS, KindSpec

from .encoding import Coverage, EncodedRecord, encoded
from .row_rules import date_of_birth_problems

_Model = TypeVar("_Model", bound=BaseModel)
_PATH = {column.name: column.path for column in COLUMNS}
_SPLIT = {name: path.partition(".")[::2] for name, path in _PATH.items()}  # (part, leaf)
_PERSON_COLUMNS = frozenset(name for name, path in _PATH.items() if path.startswith("person."))
_ADDRESS_COLUMNS = frozenset(name for name, path in _PATH.items() if path.startswith("address."))
# As pydantic writes JSON: no spaces, non-ASCII text as it is (a test keeps them in step).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_IDENTIFIER = re.compile(r"[^\s/]{1,64}")
_DATE = re.compile(DATE_PATTERN)
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
# The longest value each text field takes (PartnerRecord's limits).
_MAX = {"forename": 100, "middle_names": 100, "surname": 100, "gender": 20, "nhs_number": 20,
        "name": 100, "team": 100, "phone": 30, "email": 254, "postcode": 12, "lines": 100,
        "category": 60}  # fmt: skip
_LIMIT = {name: limit for name, path in _PATH.items()
          if (limit := _MAX.get(path.rpartition(".")[2])) is not None}  # fmt: skip
_PARTS: dict[str, type[BaseModel]] = {
    "person": PersonFields,
    "address": AddressFields,
    "lead_professional": LeadProfessional,
}


class FastCsvRecords:
    """Builds valid upsert rows of one file (its header, its feed's kind) without pydantic."""

    def __init__(self, header: Sequence[str], kind: AgencyKind, today: date) -> None:
        names = [normalise_column(column) for column in header]
        known = all(name in _PATH for name in names) and len(set(names)) == len(names)
        # Address line columns in column order, whatever order the file has them in.
        order = sorted(range(len(header)), key=lambda n: (names[n] if known else "", n))
        self._plan = [(header[n], names[n]) for n in order] if known else None
        self._kind, self._spec, self._today = kind, KIND_SPECS[kind], today

    def record(self, cells: Mapping[str, str]) -> PartnerRecord | None:
        """The row's record if it is surely a valid upsert; None means "take the full path"."""
        values = self._valid_values(cells)
        return None if values is None else self._build(values)

    def encoded(self, cells: Mapping[str, str]) -> tuple[str, EncodedRecord] | None:
        """The row's `source_record_id` and record, encoded straight from its cells (the JSON
        pydantic would write, without building the model), if it is surely a valid upsert."""
        values = self._valid_values(cells)
        if values is None:
            return None
        top = self._typed(values)
        for part, fields in top.items():
            if part in _PARTS:
                top[part] = _ordered(_PARTS[part], fields)
        canonical = _JSON.encode(_ordered(PartnerRecord, top))
        return values["source_record_id"], encoded(canonical, _coverage(values))

    def _valid_values(self, cells: Mapping[str, str]) -> dict[str, str] | None:
        """The row's non-blank cells by column name, if it is surely a valid upsert."""
        if self._plan is None or not _BUILDABLE:
            return None
        values: dict[str, str] = {}
        for key, name in self._plan:
            value = cells.get(key)
            if value and (value := value.strip()):
                values[name] = value
        if values.pop("action", "upsert") != "upsert" or not self._fine(values):
            return None
        return values

    def _fine(self, v: dict[str, str]) -> bool:
        spec, event_type = self._spec, v.get("event_type")
        source_id, person_ref = v.get("source_record_id"), v.get("person_ref")
        if source_id is None or not _IDENTIFIER.fullmatch(source_id):
            return False
        if person_ref is not None and not _IDENTIFIER.fullmatch(person_ref):
            return False
        if event_type not in spec.event_types or v.get("status") not in ("open", "closed"):
            return False
        return (
            self._dates_fine(v)
            and _codes_fine(v, spec, event_type)
            and _texts_fine(v)
            and (
                not spec.needs_person
                or any(k in v for k in ("surname", "nhs_number", "person_ref"))
            )
            and (
                not spec.needs_address
                or any(k.startswith(("address_line", "postcode", "uprn")) for k in v)
            )
        )

    def _dates_fine(self, v: dict[str, str]) -> bool:
        start, end = _day(v.get("event_date")), _day(v.get("end_date"))
        if start is None or start > self._today:
            return False
        if "end_date" in v and (end is None or end > self._today or end < start
                                or v["status"] == "open"):  # fmt: skip
            return False
        dob = v.get("date_of_birth")
        return dob is None or _birth_date_fine(dob, self._today)

    def _build(self, v: dict[str, str]) -> PartnerRecord:
        top: dict[str, Any] = self._typed(v)
        top["event_date"] = date.fromisoformat(top["event_date"])
        if "end_date" in top:
            top["end_date"] = date.fromisoformat(top["end_date"])
        top["agency_kind"] = self._kind
        top["status"] = RecordStatus(top["status"])
        for part, fields in top.items():
            if part in _PARTS:
                top[part] = _construct(_PARTS[part], fields)
        return _construct(PartnerRecord, top)

    def _typed(self, v: dict[str, str]) -> dict[str, Any]:
        """The record's fields as JSON would carry them (parts as dicts, dates as text)."""
        top: dict[str, Any] = {"agency_kind": self._kind.value}
        parts: dict[str, dict[str, Any]] = {}
        for name, value in v.items():
            part, leaf = _SPLIT[name]
            if not leaf:
                top[part] = value
            elif leaf == "lines":
                parts.setdefault(part, {}).setdefault("lines", []).append(value)
            elif leaf == "other_names":
                parts.setdefault(part, {})[leaf] = _other_names(value)
            else:
                parts.setdefault(part, {})[leaf] = value
        if "attend_code" in top:
            top["attend_code"] = int(top["attend_code"])
        return top | parts


def _ordered(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """`values` in the model's field order, with what `model_dump(exclude_none=True)` adds for
    fields not given (an empty list) and leaves out (None)."""
    ordered: dict[str, Any] = {}
    for name, default in _defaults(model):
        if name in values:
            ordered[name] = values[name]
        elif default is list:
            ordered[name] = []
    return ordered


def _coverage(v: dict[str, str]) -> Coverage:
    """Which strong identifiers a row's record carries (as `encoding.coverage_of`)."""
    dob = v.get("date_of_birth")
    return Coverage(
        has_person=not _PERSON_COLUMNS.isdisjoint(v),
        has_nhs_number="nhs_number" in v,
        has_full_dob=dob is not None and len(dob) == len("YYYY-MM-DD"),
        has_address=not _ADDRESS_COLUMNS.isdisjoint(v),
        has_uprn="uprn" in v,
    )


def _construct(model: type[_Model], values: dict[str, Any]) -> _Model:
    """What `model_construct(**values)` gives, with the defaults filled in here: pydantic's own
    loop costs more than all the checks above (it inspects each default factory every time).
    Only for models without aliases or post-init hooks, as `_plain` makes sure."""
    record = model.__new__(model)
    fields = {name: values.get(name, [] if default is list else default)
              for name, default in _defaults(model)}  # fmt: skip
    object.__setattr__(record, "__dict__", fields)
    object.__setattr__(record, "__pydantic_fields_set__", set(values))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


@cache
def _defaults(model: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    """Each field's default in field order (`list` for a fresh list); required ones get None
    here but are always given."""
    return tuple((name, list if field.default_factory is list else field.default)
                 for name, field in model.model_fields.items())  # fmt: skip


def _plain(model: type[BaseModel]) -> bool:
    """True when `_construct` builds `model` exactly as `model_construct` would."""
    fields = model.model_fields.values()
    return (
        model.model_config.get("extra") != "allow"
        and not model.__pydantic_post_init__
        and not model.__private_attributes__
        and all(f.alias is None and f.validation_alias is None for f in fields)
        and all(f.default_factory in (None, list) for f in fields)
    )


_BUILDABLE = all(
    _plain(model) for model in (PartnerRecord, PersonFields, AddressFields, LeadProfessional)
)


@lru_cache(maxsize=65_536)  # people share birth dates, and a file its people
def _birth_date_fine(dob: str, today: date) -> bool:
    return (
        dob.isascii()
        and _PARTIAL_DATE.match(dob) is not None
        and next(date_of_birth_problems(dob, today), None) is None
    )


@lru_cache(maxsize=4_096)  # a file's event dates fall on a few hundred days
def _day(value: str | None) -> date | None:
    if value is None or not value.isascii() or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _codes_fine(v: dict[str, str], spec: KindSpec, event_type: str | None) -> bool:
    category, code = v.get("category"), v.get("attend_code")
    if category is not None and category not in spec.categories:
        return False
    if category is None and event_type in spec.category_required_for:
        return False
    if code is None:
        return event_type not in spec.attend_code_required_for
    return (
        event_type in spec.attend_code_required_for
        and len(code) == 1 and code.isascii() and code.isdigit() and int(code) in ATTEND_CODES
    )  # fmt: skip


def _texts_fine(v: dict[str, str]) -> bool:
    for name, value in v.items():
        if len(value) > _LIMIT.get(name, len(value)):
            return False
    uprn, postcode = v.get("uprn"), v.get("postcode")
    phone, email = v.get("lead_professional_phone"), v.get("lead_professional_email")
    if "other_names" in v and _other_names(v["other_names"]) is None:
        return False
    return (
        (uprn is None or (len(uprn) <= 12 and uprn.isascii() and uprn.isdigit()))
        and (postcode is None or _valid_postcode(postcode))
        and (phone is None or _PHONE.match(phone) is not None)
        and (email is None or _EMAIL.match(email) is not None)
    )


# Extracts name the same few thousand postcodes again and again.
_valid_postcode = lru_cache(maxsize=16_384)(is_valid_postcode)


def _other_names(value: str) -> list[str] | None:
    names = [name for part in value.split(OTHER_NAMES_SEPARATOR) if (name := part.strip())]
    if not names or len(names) > 20 or any(len(name) > 100 for name in names):
        return None
    return names
