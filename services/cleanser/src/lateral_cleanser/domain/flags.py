"""Building quality flags: one per change the cleanser makes to a field."""

from __future__ import annotations

from lateral_shared.contracts.records import QualityFlag

Flags = list[QualityFlag]


def flag(field: str, code: str, message: str) -> QualityFlag:
    """A flag for `field`. `message` must not quote the field's value."""
    return QualityFlag(field=field, code=code, message=message)


def normalised(field: str) -> QualityFlag:
    """The field kept its meaning but its case, spacing or punctuation changed."""
    return flag(field, "normalised", "Case, spacing or punctuation was normalised.")
