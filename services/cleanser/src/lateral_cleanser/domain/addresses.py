"""Addresses: tidy lines, a checked postcode, and the key that says two records share a home.

The key is "uprn:<UPRN>" when the partner gave a UPRN, else "addr:<FIRST LINE>|<POSTCODE>" with
the first line upper-cased, punctuation removed and a trailing street-type abbreviation spelt out
("12 High St" and "12, High Street" agree), else None. A pseudo-postcode means no real address,
so no key: people recorded there must never be linked as a household.
"""

from __future__ import annotations

import re

from lateral_shared.contracts.records import AddressFields, CleanAddress

from .flags import Flags, flag, normalised
from .postcodes import NO_FIXED_ABODE, clean_postcode

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_PUNCTUATION = re.compile(r"[^\w\s/-]")
_STREET_TYPES = {
    "ST": "STREET", "RD": "ROAD", "AVE": "AVENUE", "AV": "AVENUE", "LN": "LANE", "DR": "DRIVE",
    "CL": "CLOSE", "CRES": "CRESCENT", "GDNS": "GARDENS", "PL": "PLACE", "SQ": "SQUARE",
    "TER": "TERRACE", "TERR": "TERRACE", "CT": "COURT", "GRN": "GREEN", "GR": "GROVE",
}  # fmt: skip


def clean_address(address: AddressFields) -> tuple[CleanAddress, Flags]:
    """The cleaned address and the flags for what changed."""
    flags: Flags = []
    lines = [" ".join(line.split()) for line in address.lines]
    lines = [line for line in lines if line]
    if lines != list(address.lines):
        flags.append(normalised("address.lines"))
    postcode, postcode_flags = clean_postcode(address.postcode)
    flags.extend(postcode_flags)
    uprn = str(int(address.uprn)) if address.uprn else None
    if uprn is not None and uprn != address.uprn:
        flags.append(flag("address.uprn", "reformatted", "Leading zeros were removed."))
    real = postcode is None or postcode.is_real_address
    key = (
        address_key(
            uprn=uprn,
            first_line=lines[0] if lines else None,
            postcode=postcode.postcode if postcode else None,
        )
        if real
        else None
    )
    return CleanAddress(
        lines=lines,
        postcode=postcode.postcode if postcode else None,
        outward_code=postcode.outward_code if postcode else None,
        uprn=uprn,
        address_key=key,
        no_fixed_abode=postcode is not None and postcode.postcode == NO_FIXED_ABODE,
    ), flags


def address_key(*, uprn: str | None, first_line: str | None, postcode: str | None) -> str | None:
    """The address key: the UPRN, else the normalised first line and postcode, else None."""
    if uprn:
        return f"uprn:{uprn}"
    if not (first_line and postcode):
        return None
    line = normalise_line(first_line)
    return f"addr:{line}|{postcode}" if line else None


def normalise_line(line: str) -> str:
    """An address line reduced to what tells one home from another, for comparing."""
    words = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", line)).upper().split()
    if len(words) > 1 and words[-1] in _STREET_TYPES:
        words[-1] = _STREET_TYPES[words[-1]]
    return " ".join(words)
