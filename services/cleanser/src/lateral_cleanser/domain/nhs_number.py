"""NHS numbers: ten digits whose last is a Modulus 11 check digit (NHS Data Dictionary)."""

from __future__ import annotations

from functools import lru_cache
from operator import mul

from lateral_shared.contracts.records import QualityFlag

from .flags import Flags, flag

FIELD = "person.nhs_number"
_LENGTH = 10
_SEPARATORS = str.maketrans("", "", " -")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)  # of the first nine digits, in order


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits; None when it would be 10 (never issued)."""
    if len(first_nine) != len(_WEIGHTS):
        raise ValueError("check_digit needs nine digits")
    total = sum(map(mul, map(int, first_nine), _WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(digits: str) -> bool:
    """True for ten ASCII digits with a correct check digit."""
    if len(digits) != _LENGTH or not (digits.isascii() and digits.isdigit()):
        return False
    return check_digit(digits[:9]) == int(digits[9])


def clean_nhs_number(raw: str | None) -> tuple[str | None, Flags]:
    """The NHS number as ten digits, or None (and a flag) when it is not a valid one."""
    if raw is None or not raw.strip():
        return None, []
    number, flags = _clean_nhs_number(raw)
    return number, list(flags)


@lru_cache(maxsize=65_536)
def _clean_nhs_number(raw: str) -> tuple[str | None, tuple[QualityFlag, ...]]:
    """Each distinct number checked once: a person's number recurs in every record about them."""
    number, flags = _check_nhs_number(raw)
    return number, tuple(flags)


def _check_nhs_number(raw: str) -> tuple[str | None, Flags]:
    digits = raw.translate(_SEPARATORS)
    problem = _problem(digits)
    if problem is not None:
        code, text = problem
        message = f"The NHS number {text}; it was dropped. Ask the partner to check it."
        return None, [flag(FIELD, code, message)]
    if digits != raw:
        return digits, [flag(FIELD, "reformatted", "Spaces or dashes were removed.")]
    return digits, []


def _problem(digits: str) -> tuple[str, str] | None:
    """What is wrong with a would-be NHS number (code, words), or None if nothing is."""
    if not (digits.isascii() and digits.isdigit()):
        return "not_digits", "contains characters other than digits"
    if len(digits) != _LENGTH:
        return "wrong_length", "does not have 10 digits"
    if len(set(digits)) == 1:
        # 0000000000 and 1111111111 pass the check but are placeholders, never real numbers.
        return "placeholder", "is a placeholder (one digit repeated)"
    if not is_valid_nhs_number(digits):
        return "failed_check", "fails the Modulus 11 check"
    return None
