"""Street-type words and the abbreviations partners write them with ("Rd", "St", "Gdns").

One table for the whole of Lateral: the cleanser spells abbreviations out when it parses an
address, and the search index matches a searched word against every way of writing it, so
"12 Mill Rd" and "12 Mill Road" find each other whichever one a partner sent.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Final

# Abbreviation -> the word it stands for, upper case as the cleanser compares them.
ABBREVIATIONS: Final = {
    "RD": "ROAD", "ST": "STREET", "STR": "STREET", "AVE": "AVENUE", "AV": "AVENUE",
    "AVEN": "AVENUE", "LN": "LANE", "DR": "DRIVE", "DRV": "DRIVE", "CL": "CLOSE",
    "CRES": "CRESCENT", "CRESC": "CRESCENT", "CR": "CRESCENT", "GDNS": "GARDENS",
    "GDN": "GARDENS", "PL": "PLACE", "SQ": "SQUARE", "TER": "TERRACE", "TERR": "TERRACE",
    "TCE": "TERRACE", "CT": "COURT", "CRT": "COURT", "GRN": "GREEN", "GR": "GROVE",
    "GRV": "GROVE", "PK": "PARK", "PDE": "PARADE", "WLK": "WALK", "HSE": "HOUSE", "MT": "MOUNT",
    "BLDGS": "BUILDINGS", "CTGS": "COTTAGES", "EST": "ESTATE",
}  # fmt: skip

# "St" is also Saint ("St Mary's Road"): the one abbreviation with two meanings.
_ALSO: Final = {"ST": "SAINT"}


def _spellings() -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for short, word in [*ABBREVIATIONS.items(), *_ALSO.items()]:
        groups[word].update((word, short))
    spellings: dict[str, set[str]] = defaultdict(set)
    for group in groups.values():
        for member in group:
            spellings[member.lower()].update(m.lower() for m in group)
    return {word: tuple(sorted(ways)) for word, ways in spellings.items()}


# Lower-case word -> every lower-case way of writing it (itself included), for search: "rd" ->
# ("rd", "road"); "st" -> ("saint", "st", "str", "street"); "street" -> ("st", "str", "street").
SPELLINGS: Final = _spellings()
