"""The reason a practitioner gives before looking: a case reference, or a purpose from a list.

The reason goes into every audit event of the session until changed, so an information governance
officer can later see why each search and view happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Case references differ by system ("CIN-2024-0012", "123456", "MASH/24/1187"): letters, digits
# and a few separators, never free text (which could carry a name).
_CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{1,39}$")
MAX_REMEMBERED = 8


@dataclass(frozen=True)
class ReasonChoice:
    """A valid reason, as it is recorded in the audit log."""

    text: str


class ReasonProblem(ValueError):
    """Why a reason cannot be used; `field` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def choose_reason(
    *, kind: str, case_reference: str, purpose: str, purposes: Sequence[str]
) -> ReasonChoice:
    """The reason from the form: `kind` is "case" (with a reference) or "purpose" (one of
    `purposes`)."""
    if kind == "case":
        reference = case_reference.strip()
        if not reference:
            raise ReasonProblem("case_reference", "Enter the case reference")
        if not _CASE_REFERENCE.match(reference):
            raise ReasonProblem(
                "case_reference",
                "Case reference must be 2 to 40 letters, numbers, or / _ . - characters",
            )
        return ReasonChoice(f"Case {reference}")
    if kind == "purpose":
        if purpose not in purposes:
            raise ReasonProblem("purpose", "Select the purpose of your search")
        return ReasonChoice(purpose)
    raise ReasonProblem("kind", "Select whether you are looking for a case or another purpose")


def remember(reasons: Sequence[str], chosen: str) -> list[str]:
    """The session's reasons with `chosen` first, most recent first, without repeats."""
    return [chosen, *(r for r in reasons if r != chosen)][:MAX_REMEMBERED]
