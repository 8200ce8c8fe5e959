"""The memo caches of the cleansing rules, cleared together (for benchmarks measuring a cold
start, and for tests that must not depend on what ran before)."""

from __future__ import annotations

from . import addresses, dates, flags, gazetteer, gender, names, nhs_number, postcodes, uprn
from .address_parts import _parse_address, _split_street, expand_abbreviations, normalise_words


def clear_caches() -> None:
    """Forget every memoised result; the next records are cleansed from scratch."""
    for cached in (
        _parse_address, _split_street, normalise_words, expand_abbreviations,
        addresses._address_parts, dates._clean_date_of_birth,
        flags.flag, gazetteer._pao, gazetteer._sao, gazetteer._street, gazetteer._place,
        gender._clean_gender, names._clean_name, names.name_key, nhs_number._clean_nhs_number,
        postcodes._clean_postcode, uprn._found_flags,
    ):  # fmt: skip
        cached.cache_clear()
