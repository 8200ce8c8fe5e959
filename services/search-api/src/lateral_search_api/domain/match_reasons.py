"""Why a search result matched, in words a practitioner reads at a glance:
"surname exact; forename 'Jon' ~ 'John' (1 edit); born 2012".

Worked out again from the query and the document found, with the same normalisation the index
uses, so both index adapters get the same explanation.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from lateral_shared.index import normalise as n
from lateral_shared.index.documents import (
    AddressDocument,
    AddressQuery,
    PersonAddress,
    PersonDocument,
    PersonQuery,
)
from lateral_shared.index.nicknames import nicknames

_MONTHS = "January February March April May June July August September October November December"
MONTH_NAMES = _MONTHS.split()
# Better ways of matching first; the first that applies to a word explains it.
_RANK = {"exact": 0, "nickname": 1, "fuzzy": 2, "initial": 3}


def person_match_reasons(query: PersonQuery, person: PersonDocument) -> list[str]:
    """Each criterion of `query` and how `person` met it, in the order the query gives them."""
    words = _query_words(query.name)
    parts = _name_parts(person) if words else []
    reasons = [_name_reason(word, parts) for word in words]
    if query.date_of_birth and person.date_of_birth:
        reasons.append(dob_reason(query.date_of_birth, person.date_of_birth))
    if query.postcode:
        reasons.append(_postcode_reason(query.postcode))
    if query.address:
        reasons.append(_address_reason(query.address, person.addresses))
    if query.nhs_number:
        reasons.append("NHS number exact")
    if query.ref_id:
        reasons += [
            f"partner reference {r.source_record_id} ({r.agency_kind.value.replace('_', ' ')})"
            for r in person.records
            if r.source_record_id == query.ref_id
        ][:1]
    return [r for r in reasons if r]


def address_match_reasons(query: AddressQuery, address: AddressDocument) -> list[str]:
    """How an address met the query's postcode and address elements."""
    reasons = [_postcode_reason(query.postcode)] if query.postcode else []
    if query.address:
        reasons.append(f"address has {_quoted_elements(query.address)}")
    return reasons


def _name_reason(word: str, parts: list[tuple[str, str]]) -> str:
    """How one searched name word matched the person's names (`_name_parts`), e.g. "forename
    exact"."""
    best: tuple[int, str] | None = None
    for part, token in parts:
        way = _way(word, token)
        if way is not None and (best is None or _RANK[way] < best[0]):
            best = (_RANK[way], _describe(way, part, word, token))
    return best[1] if best else ""


@lru_cache(maxsize=4_096)
def _query_words(name: str | None) -> tuple[str, ...]:
    """The searched name's words (once per search, not once per result)."""
    return tuple(n.unique(n.name_tokens(name)))


def _name_parts(person: PersonDocument) -> list[tuple[str, str]]:
    """(which part of the name, token) for every name token the person holds."""
    parts: list[tuple[str, str]] = []
    for name in person.names:
        parts += [("forename", token) for token in n.name_tokens(name.forename)]
        parts += [("middle name", token) for token in n.name_tokens(name.middle_names)]
        parts += [("surname", token) for token in n.name_tokens(name.surname)]
    for alias in person.aliases:
        parts += [("alias", token) for token in n.name_tokens(alias)]
    return parts


@lru_cache(maxsize=65_536)
def _way(word: str, token: str) -> str | None:
    """How `word` matches a name `token` (pure; cached: a page of results repeats names)."""
    if word == token:
        return "exact"
    if token in nicknames(word):
        return "nickname"
    edits = n.max_edits(word)
    if edits and len(word) > 1 and n.within_edits(word, token, edits):
        return "fuzzy"
    if (len(word) == 1 and token.startswith(word)) or (len(token) == 1 and word[0] == token):
        return "initial"
    return None


def _describe(way: str, part: str, word: str, token: str) -> str:
    shown, held = word.capitalize(), token.capitalize()
    if way == "exact":
        return f"{part} exact"
    if way == "nickname":
        return f"{part} '{shown}' is a short form of '{held}'"
    if way == "fuzzy":
        edits = int(OSA.distance(word, token))
        return f"{part} '{shown}' ~ '{held}' ({edits} edit{'s' if edits > 1 else ''})"
    return f"{part} initial {word[0].upper()}"


def dob_reason(searched: str, held: str) -> str:
    """How a searched date of birth agrees with the one held, e.g. "born March 2012"."""
    if len(held) < len(searched):
        precision = "year" if len(held) == 4 else "month"
        return f"born {_spoken(held)} (known only to the {precision})"
    return f"born {_spoken(searched)}"


def _spoken(partial: str) -> str:
    parts = partial.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTH_NAMES[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


@lru_cache(maxsize=4_096)
def _postcode_reason(postcode: str) -> str:
    if n.is_outward_code_only(postcode):
        return f"postcode area {n.compact_postcode(postcode)}"
    compact = n.compact_postcode(postcode)
    return f"postcode {compact[:-3]} {compact[-3:]}"


def _address_reason(text: str, addresses: list[PersonAddress]) -> str:
    """Which of the person's addresses has every searched element, and whether it is current."""
    wanted = n.query_address_tokens(text)
    newest_first = sorted(addresses, key=lambda a: str(a.last_seen or ""), reverse=True)
    for position, address in enumerate(newest_first):
        held = set(n.address_tokens(address.lines, address.postcode, address.uprn))
        shown = [_address_word(token, held) for token in wanted]
        if all(shown):
            when = "current address" if position == 0 else "previous address"
            return f"{when} has {' '.join(shown)}"
    return f"address has {_quoted_elements(text)}"


def _address_word(token: str, held: set[str]) -> str:
    """A searched address word as an address holds it: "'Rd'" written any way, "'Hihg' ~
    'High'" with spelling mistakes (as the index finds them), or "" if the address lacks it."""
    if held.intersection(n.address_spellings(token)):
        return _quoted(token)
    if n.is_misspellable_address_word(token):
        edits, near = n.max_edits(token), n.street_type_spellings_near(token)
        close = sorted(t for t in held if t in near or n.within_edits(token, t, edits))
        if close:
            return f"{_quoted(token)} ~ {_quoted(close[0])}"
    return ""


def _quoted_elements(text: str) -> str:
    return " ".join(_quoted(token) for token in n.query_address_tokens(text))


def _quoted(token: str) -> str:
    return f"'{token.upper() if any(c.isdigit() for c in token) else token.title()}'"
