"""Synthetic NHS numbers: only the never-issued 9xx range, always with a valid Modulus 11 check."""

from __future__ import annotations

import random

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when it would be 10 (never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid(nhs_number: str) -> bool:
    """Ten digits whose last is the Modulus 11 check digit of the first nine."""
    if len(nhs_number) != 10 or not nhs_number.isdigit():
        return False
    return check_digit(nhs_number[:9]) == int(nhs_number[9])


def synthetic_nhs_number(rng: random.Random, taken: set[str]) -> str:
    """A new valid NHS number starting with 9, not in `taken` (which it is added to)."""
    while True:
        first_nine = "9" + "".join(str(rng.randrange(10)) for _ in range(8))
        check = check_digit(first_nine)
        number = f"{first_nine}{check}"
        if check is not None and number not in taken:
            taken.add(number)
            return number
