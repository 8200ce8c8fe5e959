"""Synthetic NHS numbers: only the never-issued 9xx range, always with a valid Modulus 11 check."""

from __future__ import annotations

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


# Serial numbers are spread over the range by an affine permutation, so neighbours in a household
# do not get neighbouring numbers; the multiplier shares no factor with the range's size.
CAPACITY = 9 * 10**7  # nine usable ninth digits for each of 10**7 eight-digit prefixes "9......."
_MULTIPLIER, _OFFSET = 48_271_799, 12_345_677


def nhs_number_for(serial: int) -> str:
    """The synthetic NHS number of person `serial` (0 <= serial < CAPACITY): valid, starting
    with 9, and different for every serial."""
    if not 0 <= serial < CAPACITY:
        raise ValueError("serial out of range for synthetic NHS numbers")
    spread = (serial * _MULTIPLIER + _OFFSET) % CAPACITY
    prefix, choice = f"9{spread // 9:07d}", spread % 9
    # Of the ten ninth digits at most one gives check digit 10; skip it (or digit 9 when none
    # does), which leaves exactly nine, and take the `choice`-th.
    usable = [d for d in "0123456789" if check_digit(prefix + d) is not None][:9]
    first_nine = prefix + usable[choice]
    return f"{first_nine}{check_digit(first_nine)}"
