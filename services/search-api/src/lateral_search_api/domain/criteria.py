"""What a practitioner searches by and why, checked before anything is searched or audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lateral_shared.index.documents import AddressQuery, PersonQuery

CRITERIA_FIELDS = ("name", "dob", "postcode", "address", "nhs_number", "ref_id")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_UK_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")
_ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

REASON_PROBLEM = (
    "state why you are looking, in 3 to 200 characters "
    "(the `reason` field or the X-Lateral-Reason header)"
)
Reason = Annotated[str, Field(min_length=3, max_length=200)]


def nhs_number_is_valid(digits: str) -> bool:
    """Ten digits whose Modulus 11 check digit is right (NHS Data Dictionary)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return (0 if check == 11 else check) == int(digits[9])


def _partial_date(value: str) -> str:
    """A date of birth as YYYY, YYYY-MM or YYYY-MM-DD; DD/MM/YYYY and MM/YYYY are accepted too."""
    if match := _UK_DATE.match(value):
        day, month, year = (int(part) for part in match.groups())
        value = f"{year:04d}-{month:02d}-{day:02d}"
    elif match := _UK_MONTH.match(value):
        month, year = (int(part) for part in match.groups())
        value = f"{year:04d}-{month:02d}"
    if not _ISO_PARTIAL.match(value):
        raise ValueError("give a date of birth as YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or MM/YYYY")
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError:
        raise ValueError("the date of birth is not a real date") from None
    return value


class SearchRequest(BaseModel):
    """A search: at least one criterion, a page, and the reason for looking."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=200)
    dob: str | None = Field(default=None, max_length=10)
    postcode: str | None = Field(default=None, max_length=12)
    address: str | None = Field(
        default=None, max_length=200, description="Any part of an address: number, street, town."
    )
    nhs_number: str | None = Field(default=None, max_length=20)
    ref_id: str | None = Field(default=None, max_length=64)
    page: int = Field(default=1, ge=1, le=1000)
    page_size: int = Field(default=20, ge=1, le=100)
    reason: Reason

    @field_validator(*CRITERIA_FIELDS, mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("dob")
    @classmethod
    def _dob(cls, value: str | None) -> str | None:
        return None if value is None else _partial_date(value)

    @field_validator("nhs_number")
    @classmethod
    def _nhs_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[\s-]", "", value)
        if not nhs_number_is_valid(digits):
            raise ValueError("give a valid 10-digit NHS number (the check digit does not match)")
        return digits

    def criteria(self) -> dict[str, str]:
        """The criteria given, by field: what the audit log records about this search."""
        return {f: v for f in CRITERIA_FIELDS if (v := getattr(self, f)) is not None}

    def to_query(self) -> PersonQuery:
        """The index query; raises ValueError when no criterion is given."""
        if not self.criteria():
            raise ValueError(
                "give at least one of: name, dob, postcode, address, nhs_number, ref_id"
            )
        return PersonQuery(
            name=self.name,
            date_of_birth=self.dob,
            postcode=self.postcode,
            address=self.address,
            nhs_number=self.nhs_number,
            ref_id=self.ref_id,
            page=self.page,
            page_size=self.page_size,
        )

    def to_address_query(self) -> AddressQuery | None:
        """The address search that goes with this search: only when a place is searched for
        and nothing that only a person has (name, NHS number, reference, date of birth)."""
        if not (self.postcode or self.address):
            return None
        if self.name or self.dob or self.nhs_number or self.ref_id:
            return None
        return AddressQuery(
            postcode=self.postcode,
            address=self.address,
            page=self.page,
            page_size=self.page_size,
        )


def describe_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Each failing field and its problem, without the input (it may be personal data)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = [str(part) for part in error["loc"]] or ["body"]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "this field is not part of a search; remove it"
        elif loc[-1] == "reason":
            message = REASON_PROBLEM
        problems.append({"field": loc[-1], "msg": message, "type": error["type"]})
    return problems


class ViewRequest(BaseModel):
    """Opening one person or address: the reason for looking."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason
