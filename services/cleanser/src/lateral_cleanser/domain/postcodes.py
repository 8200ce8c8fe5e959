"""UK postcodes: normalised (upper case, one space before the inward code) and checked.

Accepted besides real postcodes: NHS pseudo-postcodes (ZZ99 ...), which are not an address and
must never link people or households, and British Forces Post Office numbers (BFPO).
The patterns are the ones in REFERENCE.md; a valid format does not prove the postcode exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from lateral_shared.contracts.records import QualityFlag
from lateral_shared.contracts.schema import POSTCODE_PATTERN, PSEUDO_POSTCODE_PATTERN

from .flags import Flags, flag

FIELD = "address.postcode"
NO_FIXED_ABODE = "ZZ99 3VZ"
# The published schema's patterns (REFERENCE.md), so the gateway and the cleanser agree.
_REAL = re.compile(POSTCODE_PATTERN)
_PSEUDO = re.compile(PSEUDO_POSTCODE_PATTERN)
_BFPO = re.compile(r"^BFPO([0-9]{1,4})$")
_INWARD_LENGTH = 3

PostcodeKind = Literal["real", "pseudo", "forces"]


@dataclass(frozen=True)
class CleanPostcode:
    """A postcode that passed the checks, with what kind of place it stands for."""

    postcode: str
    kind: PostcodeKind
    outward_code: str | None

    @property
    def is_real_address(self) -> bool:
        """False for pseudo-postcodes: never an address, never a reason to link."""
        return self.kind != "pseudo"

    @property
    def sector(self) -> str | None:
        """The postcode sector (outward code and the inward code's digit, "LS6 2"); real only."""
        return self.postcode[: -_INWARD_LENGTH + 1] if self.kind == "real" else None


def normalise_postcode(raw: str) -> str:
    """Upper case, no white space, then one space before the last three characters."""
    compact = "".join(raw.split()).upper()
    bfpo = _BFPO.match(compact)
    if bfpo:
        return f"BFPO {bfpo.group(1)}"
    if 5 <= len(compact) <= 7:
        return f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"
    return compact


def clean_postcode(raw: str | None) -> tuple[CleanPostcode | None, Flags]:
    """The checked postcode, or None (and a flag when one was given but is not valid)."""
    if raw is None or not raw.strip():
        return None, []
    postcode, flags = _clean_postcode(raw)
    return postcode, list(flags)


@lru_cache(maxsize=65_536)
def _clean_postcode(raw: str) -> tuple[CleanPostcode | None, tuple[QualityFlag, ...]]:
    """Each distinct spelling checked once: a postcode recurs for every record at the address."""
    postcode, flags = _check_postcode(raw)
    return postcode, tuple(flags)


def _check_postcode(raw: str) -> tuple[CleanPostcode | None, Flags]:
    postcode = normalise_postcode(raw)
    flags: Flags = []
    if postcode != raw:
        flags.append(flag(FIELD, "reformatted", "Case and spacing were normalised."))
    if _REAL.match(postcode):
        return CleanPostcode(postcode, "real", postcode.split(" ")[0]), flags
    if _PSEUDO.match(postcode):
        flags.append(_pseudo_flag(postcode))
        return CleanPostcode(postcode, "pseudo", None), flags
    if postcode.startswith("BFPO "):
        flags.append(flag(FIELD, "forces_mail", "A BFPO forces mail number, not a home address."))
        return CleanPostcode(postcode, "forces", "BFPO"), flags
    message = "The postcode is not a valid UK postcode; it was dropped. Ask the partner to check."
    return None, [flag(FIELD, "invalid", message)]


def _pseudo_flag(postcode: str) -> QualityFlag:
    if postcode == NO_FIXED_ABODE:
        return flag(FIELD, "no_fixed_abode", "Pseudo-postcode for no fixed abode: not an address.")
    return flag(
        FIELD,
        "pseudo_postcode",
        "An NHS pseudo-postcode (address not known or abroad): not an address, never used to link.",
    )
