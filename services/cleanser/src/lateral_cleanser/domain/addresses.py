"""Addresses: tidy lines, parsed parts, a checked postcode, a UPRN, and the key that says two
records share a home.

The key is "uprn:<UPRN>" when the UPRN is known (from the partner or the gazetteer), else
"addr:<FLAT> <NUMBER OR BUILDING> <STREET>|<POSTCODE>" from the parsed parts ("12 High St" and
"12, High Street" agree), else None. A pseudo-postcode means no real address, so no key and no
look-up: people recorded there must never be linked as a household.
"""

from __future__ import annotations

from functools import lru_cache

from lateral_shared.contracts.records import AddressFields, AddressParts, CleanAddress

from .address_parts import ParsedAddress, parse_address
from .flags import Flags, flag, normalised
from .gazetteer import Gazetteer
from .postcodes import NO_FIXED_ABODE, CleanPostcode, clean_postcode
from .trusted import trusted
from .uprn import UprnDecision, decide_uprn


def clean_address(
    address: AddressFields, *, gazetteer: Gazetteer | None = None
) -> tuple[CleanAddress, Flags]:
    """The cleaned address and the flags for what changed and how the UPRN was decided.

    Not memoised as a whole: four in five addresses in a region are spelt in a way seen only
    once, and holding the rest kept the garbage collector busier than it saved."""
    flags: Flags = []
    lines = [" ".join(line.split()) for line in address.lines]
    lines = [line for line in lines if line]
    if lines != address.lines:
        flags.append(normalised("address.lines"))
    postcode, postcode_flags = clean_postcode(address.postcode)
    flags.extend(postcode_flags)
    partner_uprn = str(int(address.uprn)) if address.uprn else None
    if partner_uprn is not None and partner_uprn != address.uprn:
        flags.append(flag("address.uprn", "reformatted", "Leading zeros were removed."))
    parts = (
        parse_address(lines, postcode=postcode.postcode if postcode else None) if lines else None
    )
    real = postcode is None or postcode.is_real_address
    decision = UprnDecision(partner_uprn, "partner" if partner_uprn else None)
    if real:
        real_postcode = postcode.postcode if postcode else None
        decision = decide_uprn(partner_uprn, parts, real_postcode, gazetteer)
        flags.extend(decision.flags)
    return _clean(lines, parts, postcode, decision, real=real), flags


def _clean(
    lines: list[str],
    parts: ParsedAddress | None,
    postcode: CleanPostcode | None,
    decision: UprnDecision,
    *,
    real: bool,
) -> CleanAddress:
    code = postcode.postcode if postcode else None
    return trusted(
        CleanAddress,
        {
            "lines": lines,
            "parts": _address_parts(parts) if parts else None,
            "postcode": code,
            "outward_code": postcode.outward_code if postcode else None,
            "sector": postcode.sector if postcode else None,
            "uprn": decision.uprn,
            "uprn_method": decision.method,
            "uprn_confidence": decision.confidence,
            "address_key": address_key(uprn=decision.uprn, parts=parts, postcode=code)
            if real
            else None,
            "no_fixed_abode": code == NO_FIXED_ABODE,
        },
    )


@lru_cache(maxsize=65_536)
def _address_parts(parts: ParsedAddress) -> AddressParts:
    """The contract's form of the parsed parts (immutable, so shared between records)."""
    return trusted(
        AddressParts,
        {
            "sao": parts.sao, "pao_number": parts.pao_number, "pao_suffix": parts.pao_suffix,
            "building_name": parts.building_name, "street": parts.street,
            "locality": parts.locality, "town": parts.town,
        },
    )  # fmt: skip


def address_key(
    *, uprn: str | None, parts: ParsedAddress | None, postcode: str | None
) -> str | None:
    """The address key: the UPRN, else the parsed first line and postcode, else None."""
    if uprn:
        return f"uprn:{uprn}"
    if parts is None or postcode is None:
        return None
    flat = f"FLAT {parts.sao}" if parts.sao else None
    words = [w for w in (flat, parts.pao if parts.pao_number else parts.building_name) if w]
    line = " ".join([*words, parts.street] if parts.street else words)
    return f"addr:{line}|{postcode}" if line else None
