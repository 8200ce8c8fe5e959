"""Gender mapped to male / female / other / unknown from the words and codes partners use.

Codes 0 and 9 are "not known" / "not specified" in the NHS and children's census code lists
(9 is "indeterminate" in the newer NHS list), so they cannot be read as a stated gender: unknown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from lateral_shared.contracts.records import QualityFlag

from .flags import Flags, flag

Gender = Literal["male", "female", "other", "unknown"]
FIELD = "person.gender"

_CODES: dict[str, Gender] = {
    **dict.fromkeys(["m", "male", "man", "boy", "1"], "male"),
    **dict.fromkeys(["f", "female", "woman", "girl", "2"], "female"),
    **dict.fromkeys(["o", "other", "non-binary", "nonbinary", "non binary", "nb", "i"], "other"),
    **dict.fromkeys(
        ["u", "unknown", "not known", "not specified", "not stated", "x", "0", "9"], "unknown"
    ),
}


def clean_gender(raw: str | None) -> tuple[Gender, Flags]:
    """The gender category for a partner's value; unrecognised values are unknown and flagged."""
    if raw is None or not raw.strip():
        return "unknown", []
    gender, flags = _clean_gender(raw)
    return gender, list(flags)


@lru_cache(maxsize=1024)
def _clean_gender(raw: str) -> tuple[Gender, tuple[QualityFlag, ...]]:
    """Partners use a handful of spellings: each is mapped once."""
    key = " ".join(raw.split()).casefold().rstrip(".")
    gender = _CODES.get(key)
    if gender is None:
        message = "The gender code is not one Lateral knows; it was recorded as unknown."
        return "unknown", (flag(FIELD, "unrecognised", message),)
    if key != gender:
        return gender, (flag(FIELD, "mapped", "A gender code was mapped to its category."),)
    return gender, ()
