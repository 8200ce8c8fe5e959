"""The address gazetteer in memory, and UPRN look-up of a parsed address against it.

Look-up is exact on the normalised form first, then fuzzy within the postcode (see
`address_scoring`: numbers strictly, words fuzzily). Without a postcode, the street and town (or
locality) narrow instead. Precision comes first: a match must be clearly better than the next
candidate, or there is no match at all.

An address naming a building with flats but no flat gets the building's UPRN (a fire at a block's
common parts, a police call to the block) and says so (`building`), so the matcher need not treat
everyone at the block as one household.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .address_parts import (
    ParsedAddress,
    expand_abbreviations,
    normalise_words,
    parse_pao,
    parse_sao,
)
from .address_scoring import ACCEPT, Slot, contradicts, other_readings, slot, word_score
from .postcodes import normalise_postcode

RECENT_LOOKUPS = 65_536  # look-ups remembered (the gazetteer never changes while loaded)
MARGIN = 8.0  # how much better than the runner-up the best candidate must be
FUZZY_CEILING = 0.99  # a fuzzy match is never as certain as an exact one
NO_POSTCODE_CEILING = 0.9  # nor is one found without the postcode

Outcome = Literal["exact", "fuzzy", "ambiguous", "flat_missing", "not_found", "postcode_unknown"]
Scope = Literal["postcode", "street_and_town"]


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One addressable property, normalised once at load time."""

    uprn: str
    parent_uprn: str | None
    postcode: str
    parts: ParsedAddress


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the gazetteer made of an address: a UPRN with its confidence, or why none."""

    outcome: Outcome
    uprn: str | None = None
    confidence: float | None = None
    scope: Scope = "postcode"
    building: bool = False  # the UPRN is a building whose flats have UPRNs of their own


def entry_from_row(row: Mapping[str, str | None]) -> GazetteerEntry:
    """A gazetteer entry from one CSV row (uprn, parent_uprn, sao, pao, street, locality, town,
    postcode); blank cells mean absent."""
    number, suffix, building = _pao(row.get("pao") or "")
    parts = ParsedAddress(
        sao=_sao(row.get("sao") or ""),
        pao_number=number,
        pao_suffix=suffix,
        building_name=building,
        street=_street(row.get("street") or ""),
        locality=_place(row.get("locality") or ""),
        town=_place(row.get("town") or ""),
    )
    parent = (row.get("parent_uprn") or "").strip()
    return GazetteerEntry(
        uprn=str(int(str(row["uprn"]))),
        parent_uprn=str(int(parent)) if parent else None,
        postcode=normalise_postcode(row.get("postcode") or ""),
        parts=parts,
    )


# Gazetteer values repeat (every house on a street, every street in a town): each distinct value
# is normalised once, which keeps loading a region's gazetteer to seconds.
_pao = lru_cache(maxsize=65_536)(parse_pao)
_sao = lru_cache(maxsize=65_536)(parse_sao)


@lru_cache(maxsize=65_536)
def _street(raw: str) -> str | None:
    street = normalise_words(raw)
    return expand_abbreviations(street) if street else None


@lru_cache(maxsize=65_536)
def _place(raw: str) -> str | None:
    return normalise_words(raw) or None


def exact_key(parts: ParsedAddress, postcode: str) -> str:
    """The normalised form two spellings of one address share: flat|number or name|street|pc."""
    return f"{parts.sao or ''}|{parts.pao or ''}|{parts.street or ''}|{postcode}"


class Gazetteer:
    """Entries indexed by UPRN, by exact form, by postcode and by street and place."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self.by_uprn: dict[str, GazetteerEntry] = {}
        self._exact: dict[str, str | None] = {}  # None: two properties share the form
        self._by_postcode: dict[str, dict[Slot, list[GazetteerEntry]]] = defaultdict(dict)
        self._by_street: dict[tuple[str, str], dict[Slot, list[GazetteerEntry]]] = defaultdict(dict)
        for entry in entries:
            self._add(entry)
        self._recent: dict[tuple[ParsedAddress, ParsedAddress | None, str | None], Lookup] = {}
        self._parents = {e.parent_uprn for e in self.by_uprn.values() if e.parent_uprn}
        self._numbers_with_flats = {
            (e.postcode, e.parts.pao_number, e.parts.pao_suffix)
            for e in self.by_uprn.values()
            if e.parts.sao is not None
        }

    def _add(self, entry: GazetteerEntry) -> None:
        self.by_uprn[entry.uprn] = entry
        key = exact_key(entry.parts, entry.postcode)
        self._exact[key] = None if key in self._exact else entry.uprn
        self._by_postcode[entry.postcode].setdefault(slot(entry.parts), []).append(entry)
        street = entry.parts.street or ""
        for place in {entry.parts.locality, entry.parts.town} - {None}:
            self._by_street[(street, str(place))].setdefault(slot(entry.parts), []).append(entry)

    def __len__(self) -> int:
        return len(self.by_uprn)

    def get(self, uprn: str) -> GazetteerEntry | None:
        """The entry for a UPRN, if the gazetteer knows it."""
        return self.by_uprn.get(uprn)

    def contradicts(self, parts: ParsedAddress, postcode: str | None, uprn: str) -> bool:
        """True when the gazetteer's entry for `uprn` disagrees with the address."""
        entry = self.by_uprn[uprn]
        return contradicts(parts, postcode, entry.postcode, entry.parts)

    def forget_recent(self) -> None:
        """Empty the cache of recent look-ups."""
        self._recent.clear()

    def look_up(self, parts: ParsedAddress, postcode: str | None) -> Lookup:
        """The UPRN for an address: exact, else fuzzy within its postcode, else by street and
        town when there is no postcode; each reading of the address in turn."""
        key = (parts, parts.alternative, postcode)
        found = self._recent.get(key)
        if found is None:
            if len(self._recent) >= RECENT_LOOKUPS:
                self._recent.clear()  # crude but bounded; addresses recur within a feed
            found = self._recent[key] = self._look_up(parts, postcode)
        return found

    def _look_up(self, parts: ParsedAddress, postcode: str | None) -> Lookup:
        if postcode is not None and postcode not in self._by_postcode:
            return Lookup("postcode_unknown")
        first = self._look_up_one(parts, postcode)
        if first.uprn is None and first.outcome != "ambiguous":
            for reading in other_readings(parts):
                if (other := self._look_up_one(reading, postcode)).uprn is not None:
                    return other
        return first

    def _look_up_one(self, parts: ParsedAddress, postcode: str | None) -> Lookup:
        if postcode is None:
            return self._best(parts, self._street_candidates(parts), None)
        found = self._exact.get(exact_key(parts, postcode))
        if found is not None:
            return Lookup("exact", found, 1.0, building=found in self._parents)
        return self._best(parts, self._by_postcode[postcode].get(slot(parts), []), postcode)

    def _street_candidates(self, parts: ParsedAddress) -> list[GazetteerEntry]:
        """Entries on the street in the place named; the locality, being narrower, first."""
        for place in (parts.locality, parts.town):
            if place:
                found = self._by_street.get((parts.street or "", place), {}).get(slot(parts))
                if found:
                    return found
        return []

    def _best(
        self, parts: ParsedAddress, candidates: list[GazetteerEntry], postcode: str | None
    ) -> Lookup:
        scope: Scope = "street_and_town" if postcode is None else "postcode"
        scored = sorted(((word_score(parts, e.parts), e.uprn) for e in candidates), reverse=True)
        if not scored or scored[0][0] < ACCEPT:
            flats = (postcode, parts.pao_number, parts.pao_suffix) in self._numbers_with_flats
            missing = flats and parts.sao is None and not scored
            return Lookup("flat_missing" if missing else "not_found", scope=scope)
        if len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN:
            return Lookup("ambiguous", scope=scope)
        best, uprn = scored[0]
        ceiling = FUZZY_CEILING if scope == "postcode" else NO_POSTCODE_CEILING
        return Lookup(
            "fuzzy", uprn, round(best / 100 * ceiling, 3), scope, building=uprn in self._parents
        )
