"""Free-text address lines parsed into BS7666-like parts: flat (SAO), number or building (PAO),
street, locality and town — upper case, punctuation out, abbreviations spelt out.

Partners and the gazetteer go through the same normalisation, so "12a High St" and "12A, HIGH
STREET" meet on equal terms. The parse is a best effort: the gazetteer match compares numbers
strictly and words fuzzily, so a street that swallowed the locality still matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lateral_shared.street_words import ABBREVIATIONS

STREET_TYPES = frozenset(
    {"STREET", "ROAD", "AVENUE", "LANE", "DRIVE", "CLOSE", "CRESCENT", "GARDENS", "PLACE",
     "SQUARE", "TERRACE", "COURT", "GREEN", "GROVE", "PARK", "PARADE", "WALK", "WAY", "MEWS",
     "ROW", "HILL", "RISE", "VIEW", "VALE", "BANK", "GATE", "FOLD", "WYND", "BROW", "MOUNT"}
)  # fmt: skip
FLAT_WORDS = frozenset(
    {"FLAT", "FLT", "APARTMENT", "APT", "APPT", "UNIT", "ROOM", "STUDIO", "SUITE", "MAISONETTE"}
)
FLOORS = {"BASEMENT": "BASEMENT", "GROUND": "GROUND", "LOWER": "LOWER", "UPPER": "UPPER",
          "TOP": "TOP", "FIRST": "FIRST", "1ST": "FIRST", "SECOND": "SECOND", "2ND": "SECOND",
          "THIRD": "THIRD", "3RD": "THIRD"}  # fmt: skip
NOT_ADDRESS = frozenset({"UK", "UNITED KINGDOM", "ENGLAND", "WALES", "GB", "GREAT BRITAIN"})

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_PUNCTUATION = re.compile(r"[^A-Z0-9/ -]")
_CLOSE_UP = re.compile(r"\s*([/-])\s*")
_FLAT_ATTACHED = re.compile(r"^([A-Z]+)(\d+[A-Z]?)$")
_FLAT_ID = re.compile(r"^(?:\d+[A-Z]?|[A-Z])$")
_SLASH = re.compile(r"^(\d+[A-Z]?)/(\d+[A-Z]?)\b\s*(.*)$")
_PAO = re.compile(r"^(\d+)([A-Z])?(?:-(\d+)[A-Z]?)?(?:\s+(.*))?$")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address in parts; every part upper case and normalised, None when not given."""

    sao: str | None = None
    pao_number: str | None = None
    pao_suffix: str | None = None
    building_name: str | None = None
    street: str | None = None
    locality: str | None = None
    town: str | None = None
    # Another way to read the same lines, tried when this one finds nothing: "3 Ashdown Court,
    # Mill Lane" may be house 3 on a street called Ashdown Court or flat 3 in the block.
    alternative: ParsedAddress | None = field(default=None, repr=False, compare=False)

    @property
    def pao(self) -> str | None:
        """The house number with its suffix ("12A"), else the building name."""
        if self.pao_number is not None:
            return self.pao_number + (self.pao_suffix or "")
        return self.building_name


@lru_cache(maxsize=65_536)
def normalise_words(text: str) -> str:
    """Upper case, apostrophes dropped, other punctuation to spaces, "/" and "-" closed up."""
    text = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text.upper()))
    if "/" not in text and "-" not in text:  # most lines: nothing to close up
        return " ".join(text.split())
    return " ".join(_CLOSE_UP.sub(r"\1", " ".join(text.split())).split())


@lru_cache(maxsize=65_536)
def expand_abbreviations(name: str) -> str:
    """Street-type abbreviations spelt out, except as a first word ("St Mary's Rd" keeps Saint)."""
    words = name.split(" ")
    if words and words[0] == "SAINT":
        words[0] = "ST"
    return " ".join([words[0], *(ABBREVIATIONS.get(word, word) for word in words[1:])])


def parse_address(lines: list[str], *, postcode: str | None = None) -> ParsedAddress:
    """The parts of an address given as free-text lines (commas split lines too)."""
    return _parse_address(tuple(lines), postcode)


@lru_cache(maxsize=65_536)
def _parse_address(lines: tuple[str, ...], postcode: str | None) -> ParsedAddress:
    """Addresses repeat across records (everyone in a household, every visit), so each distinct
    spelling is parsed once."""
    sao, segments = _take_sao(_segments(lines, postcode))
    if sao is None:
        sao, segments = _take_trailing_sao(segments)
    return _with_pao(sao, segments)


def parse_sao(text: str | None) -> str | None:
    """A flat as the gazetteer or a partner writes it ("Flat 3", "APT 3", "3") reduced to "3"."""
    if not text:
        return None
    sao, rest = _sao_of(normalise_words(text))
    return sao if sao is not None and not rest else (normalise_words(text) or None)


def parse_pao(text: str | None) -> tuple[str | None, str | None, str | None]:
    """A gazetteer PAO ("12", "12A", "12-14", "Rose Cottage") as number, suffix, building name."""
    if not text:
        return None, None, None
    normalised = normalise_words(text)
    match = _PAO.match(normalised)
    if match is None or match.group(4):
        return None, None, expand_abbreviations(normalised) if normalised else None
    return _number(match), match.group(2), None


def _segments(lines: tuple[str, ...], postcode: str | None) -> list[str]:
    """The normalised pieces of the lines between commas, without the postcode or the country."""
    # Both ways of writing the postcode ("LS6 2AB", "LS62AB") end in its last word: a cheap test
    # that spares most segments the full one.
    last_word = postcode.rsplit(" ", 1)[-1] if postcode else None
    segments = []
    for line in lines:
        for piece in line.split(","):
            segment = normalise_words(piece)
            if last_word and segment.endswith(last_word):
                segment = _without_postcode(segment, postcode)
            if segment and segment not in NOT_ADDRESS:
                segments.append(segment)
    return segments


def _without_postcode(segment: str, postcode: str | None) -> str:
    """The segment without the postcode partners often repeat at the end of the last line."""
    if postcode and segment.endswith((postcode, postcode.replace(" ", ""))):
        cut = len(postcode) if segment.endswith(postcode) else len(postcode) - 1
        return segment[:-cut].strip()
    return segment


def _take_sao(segments: list[str]) -> tuple[str | None, list[str]]:
    """The flat, if the address starts with one, and what is left of the address."""
    if not segments:
        return None, segments
    sao, rest = _sao_of(segments[0])
    if sao is None:
        return None, segments
    return sao, ([rest] if rest else []) + segments[1:]


def _take_trailing_sao(segments: list[str]) -> tuple[str | None, list[str]]:
    """The flat written after the house ("12 HIGH STREET FLAT 3"), if any: a segment's last two
    words (segments are normalised: single spaces)."""
    for position, segment in enumerate(segments):
        *before, word, flat = segment.rsplit(" ", 2) if " " in segment else ("", segment)
        if word in FLAT_WORDS and _FLAT_ID.match(flat):
            return flat, [*segments[:position], *before, *segments[position + 1 :]]
    return None, segments


def _sao_of(segment: str) -> tuple[str | None, str]:
    """("3", "12 HIGH STREET") for "FLAT 3 12 HIGH STREET", "3/12 HIGH STREET" or a floor."""
    slash = _SLASH.match(segment) if "/" in segment else None
    if slash:
        return slash.group(1), f"{slash.group(2)} {slash.group(3)}".strip()
    words = segment.split(" ")
    if words[0] in FLOORS and len(words) > 1 and words[1] in {"FLOOR", "FLR", "FLAT"}:
        skip = 3 if len(words) > 2 and words[1] == "FLOOR" and words[2] == "FLAT" else 2
        return f"{FLOORS[words[0]]} FLOOR", " ".join(words[skip:])
    attached = _FLAT_ATTACHED.match(words[0])  # "FLAT3", "APT12B"
    if attached and attached.group(1) in FLAT_WORDS:
        return attached.group(2), " ".join(words[1:])
    if words[0] in FLAT_WORDS and len(words) > 1:
        at = 2 if words[1] == "NO" and len(words) > 2 else 1
        if _FLAT_ID.match(words[at]):
            return words[at], " ".join(words[at + 1 :])
    return None, segment


def _with_pao(sao: str | None, segments: list[str]) -> ParsedAddress:
    """Find the house number (or else a building name), the street and the places after it."""
    for position, segment in enumerate(segments):
        match = _PAO.match(segment)
        if match is None:
            continue
        building = " ".join(segments[:position]) or None
        rest = segments[position + 1 :]
        street = match.group(4) or (rest.pop(0) if rest else None)
        other = None
        if sao is None and building is None and match.group(4) and rest:
            flat = _number(match) + (match.group(2) or "")
            other = _finish(flat, None, None, match.group(4), rest[0], rest[1:])
        return _finish(sao, _number(match), match.group(2), building, street, rest, other)
    return _named(sao, segments)


def _named(sao: str | None, segments: list[str]) -> ParsedAddress:
    """No house number: tell the building name from the street by the street-type words."""
    if len(segments) >= 2 and _is_street(segments[1]):
        return _finish(sao, None, None, segments[0], segments[1], segments[2:])
    if segments and _is_street(segments[0]):
        return _finish(sao, None, None, None, segments[0], segments[1:])
    if len(segments) >= 3:
        return _finish(sao, None, None, segments[0], segments[1], segments[2:])
    return _finish(sao, None, None, segments[0] if segments else None, None, segments[1:])


def _finish(  # noqa: PLR0917 (the parts in BS7666 order read best)
    sao: str | None,
    number: str | None,
    suffix: str | None,
    building: str | None,
    street: str | None,
    after: list[str],
    alternative: ParsedAddress | None = None,
) -> ParsedAddress:
    """Split places run into the street ("HIGH STREET HEADINGLEY"), then locality and town."""
    if street:
        street, spill = _split_street(street)
        after = [spill, *after] if spill else after
    locality, town = (" ".join(after[:-1]) or None, after[-1]) if after else (None, None)
    building = expand_abbreviations(building) if building else None
    return ParsedAddress(sao, number, suffix, building, street, locality, town, alternative)


@lru_cache(maxsize=65_536)
def _split_street(street: str) -> tuple[str, str]:
    """The street, abbreviations spelt out, up to its last street-type word (not the first
    word), and what follows it. Each distinct spelling once: streets recur in every address."""
    street = expand_abbreviations(street)
    words = street.split(" ")
    for position in range(len(words) - 1, 0, -1):
        if words[position] in STREET_TYPES:
            return " ".join(words[: position + 1]), " ".join(words[position + 1 :])
    return street, ""


def _is_street(segment: str) -> bool:
    words = segment.split(" ")
    return len(words) > 1 and ABBREVIATIONS.get(words[-1], words[-1]) in STREET_TYPES


def _number(match: re.Match[str]) -> str:
    start, end = match.group(1), match.group(3)
    return f"{int(start)}-{int(end)}" if end else str(int(start))
