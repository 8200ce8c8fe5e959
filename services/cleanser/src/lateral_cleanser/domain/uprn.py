"""Which UPRN an address gets: the partner's, the gazetteer's, or none — and the flag saying why.

Decisions, in order:
- No gazetteer configured: the partner's UPRN is kept as sent (method "partner"), nothing looked up.
- The gazetteer's confident match for the address equals the partner's UPRN (or is the building
  the partner's flat is in): kept, confidence 1.
- The match is a flat inside the building the partner gave: the flat's UPRN (more precise).
- The match is another property: the address and the partner's UPRN contradict each other. The
  gazetteer's match wins, because the address is what the partner's staff typed and checked and a
  UPRN is an easily mis-keyed 12-digit number; the record is flagged `uprn_contradicts_address`.
- No confident match, but the partner's UPRN is in the gazetteer and its postcode, flat, number or
  street disagree with the address: flagged `uprn_contradicts_address` and dropped (precision first:
  a wrong UPRN links people to the wrong household; the record keeps its address key).
- Otherwise the partner's UPRN is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from lateral_shared.contracts.records import QualityFlag

from .address_parts import ParsedAddress
from .flags import Flags, flag
from .gazetteer import Gazetteer, Lookup

FIELD = "address.uprn"
_NO_MATCH_MESSAGES = {
    "ambiguous": "Several gazetteer addresses fit equally well; no UPRN was assigned.",
    "flat_missing": "The building has flats and the address names none; no UPRN was assigned.",
    "not_found": "No gazetteer address in the postcode fits; no UPRN was assigned.",
    "postcode_unknown": "The postcode is not in the gazetteer; no UPRN was assigned.",
}


@dataclass(frozen=True)
class UprnDecision:
    """The UPRN chosen for an address (or None), how it was found, and the flags."""

    uprn: str | None = None
    method: str | None = None  # "partner", "exact" or "fuzzy"
    confidence: float | None = None
    flags: Flags = field(default_factory=list)


def decide_uprn(
    partner_uprn: str | None,
    parts: ParsedAddress | None,
    postcode: str | None,
    gazetteer: Gazetteer | None,
) -> UprnDecision:
    """The UPRN decision for one address; `postcode` is the checked real postcode or None."""
    if gazetteer is None:
        return UprnDecision(partner_uprn, "partner" if partner_uprn else None)
    lookup = _look_up(parts, postcode, gazetteer)
    if partner_uprn is None:
        return _from_lookup(lookup)
    return _check_partner(partner_uprn, parts, postcode, lookup, gazetteer)


def _look_up(
    parts: ParsedAddress | None, postcode: str | None, gazetteer: Gazetteer
) -> Lookup | None:
    """The gazetteer's answer, when the address says enough: a number or name and a postcode,
    or without a postcode a street and a town or locality."""
    if parts is None or not (parts.pao or parts.street):
        return None
    if postcode is None and not (parts.street and (parts.town or parts.locality)):
        return None
    return gazetteer.look_up(parts, postcode)


def _from_lookup(lookup: Lookup | None) -> UprnDecision:
    if lookup is None:
        message = "Too little address to look up a UPRN (a number or name, and a postcode)."
        return UprnDecision(flags=[flag(FIELD, "uprn_not_looked_up", message)])
    if lookup.uprn is None:
        return UprnDecision(
            flags=[flag(FIELD, f"uprn_{lookup.outcome}", _NO_MATCH_MESSAGES[lookup.outcome])]
        )
    flags = _found_flags(lookup.outcome, lookup.scope, building=lookup.building)
    return UprnDecision(lookup.uprn, lookup.outcome, lookup.confidence, list(flags))


@lru_cache(maxsize=64)
def _found_flags(outcome: str, scope: str, *, building: bool) -> tuple[QualityFlag, ...]:
    """Flags for a UPRN the gazetteer found: how, and whether it is a whole building."""
    how = "exactly" if outcome == "exact" else "by fuzzy match within the postcode"
    if scope == "street_and_town":
        how = "by street and town, as there was no valid postcode"
    found = flag(FIELD, f"uprn_{outcome}", f"The UPRN was found in the gazetteer {how}.")
    if building:
        message = "The address names a building with flats but no flat: the building's UPRN."
        return found, flag(FIELD, "uprn_building", message)
    return (found,)


def _check_partner(
    partner_uprn: str,
    parts: ParsedAddress | None,
    postcode: str | None,
    lookup: Lookup | None,
    gazetteer: Gazetteer,
) -> UprnDecision:
    if lookup is not None and lookup.uprn is not None:
        return _partner_against_match(partner_uprn, lookup, gazetteer)
    entry = gazetteer.get(partner_uprn)
    if entry is None:
        message = "The partner's UPRN is not in the gazetteer; it was kept unchecked."
        return UprnDecision(
            partner_uprn, "partner", None, [flag(FIELD, "uprn_not_in_gazetteer", message)]
        )
    if parts is not None and gazetteer.contradicts(parts, postcode, partner_uprn):
        message = (
            "The partner's UPRN contradicts the address, which matched no UPRN; it was dropped."
        )
        return UprnDecision(flags=[flag(FIELD, "uprn_contradicts_address", message)])
    kept = flag(FIELD, "uprn_kept", "Nothing in the address contradicts the partner's UPRN.")
    return UprnDecision(partner_uprn, "partner", None, [kept])


def _partner_against_match(partner_uprn: str, lookup: Lookup, gazetteer: Gazetteer) -> UprnDecision:
    partner_entry = gazetteer.get(partner_uprn)
    if lookup.uprn == partner_uprn or (
        lookup.building and partner_entry is not None and partner_entry.parent_uprn == lookup.uprn
    ):  # the same property, or a flat in the building the address names
        confirmed = flag(FIELD, "uprn_confirmed", "The gazetteer agrees with the partner's UPRN.")
        return UprnDecision(partner_uprn, "partner", 1.0, [confirmed])
    found = gazetteer.get(lookup.uprn) if lookup.uprn else None
    if found is not None and found.parent_uprn == partner_uprn:
        message = "The partner gave the building's UPRN; the flat's UPRN was used."
        return UprnDecision(
            lookup.uprn,
            lookup.outcome,
            lookup.confidence,
            [flag(FIELD, "uprn_refined_to_flat", message)],
        )
    message = "The partner's UPRN contradicts the address; the gazetteer's match was used."
    return UprnDecision(
        lookup.uprn,
        lookup.outcome,
        lookup.confidence,
        [flag(FIELD, "uprn_contradicts_address", message)],
    )
