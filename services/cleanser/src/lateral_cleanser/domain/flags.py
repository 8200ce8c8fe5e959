"""Building quality flags: one per change the cleanser makes to a field."""

from __future__ import annotations

from functools import lru_cache

from lateral_shared.contracts.records import QualityFlag

Flags = list[QualityFlag]


@lru_cache(maxsize=4096)
def flag(field: str, code: str, message: str) -> QualityFlag:
    """A flag for `field`. `message` must not quote the field's value.

    Flags are immutable and few distinct ones exist, so each is built once and shared."""
    return QualityFlag(field=field, code=code, message=message)


def normalised(field: str) -> QualityFlag:
    """The field kept its meaning but its case, spacing or punctuation changed."""
    return flag(field, "normalised", "Case, spacing or punctuation was normalised.")
