"""Person and address documents and queries reduced to search keys, the same way for both index
adapters."""

from __future__ import annotations

from dataclasses import dataclass

from . import normalise as n
from .documents import AddressDocument, AddressQuery, PersonDocument, PersonQuery
from .nicknames import nicknames

# How a name word matched, best first: exactly, as a nickname, with spelling mistakes, or as an
# initial. A person's score is the sum over the words searched; other criteria filter without
# scoring; ties are broken by ID.
EXACT_SCORE = 2.0
NICKNAME_SCORE = 1.5
FUZZY_SCORE = 1.0
INITIAL_SCORE = 0.5


def document_keys(doc: PersonDocument) -> dict[str, list[str]]:
    """Every search key of a person, by field (see `normalise` for what each field holds)."""
    name_parts = [p for name in doc.names for p in (name.forename, name.middle_names, name.surname)]
    tokens = n.unique(t for part in [*name_parts, *doc.aliases] for t in n.name_tokens(part))
    postcodes = [*doc.postcodes, *(a.postcode for a in doc.addresses if a.postcode)]
    return {
        n.NAME: tokens,
        n.DOB: n.dob_keys(doc.date_of_birth),
        n.POSTCODE: n.unique(n.compact_postcode(p) for p in postcodes),
        n.OUTWARD: n.unique(n.outward_code(p) or "" for p in postcodes),
        n.NHS: n.unique(n.digits_only(x) for x in doc.nhs_numbers),
        n.REF: n.unique(r.source_record_id for r in doc.records),
        n.INITIAL: n.unique(t[0] for t in tokens),
        n.ADDRESS: n.unique(
            [
                *(t for a in doc.addresses for t in n.address_tokens(a.lines, a.postcode, a.uprn)),
                *(t for p in doc.postcodes for t in n.address_tokens([], p, None)),
            ]
        ),
    }


def name_year_keys(keys: dict[str, list[str]], date_of_birth: str | None) -> list[str]:
    """Each name token and initial paired with the birth year ("smith:2012", "^s:2012"): a name
    with a year is far more selective than either (the embedded index's commonest search)."""
    if not date_of_birth:
        return []
    year = date_of_birth[:4]
    return [f"{t}:{year}" for t in keys[n.NAME]] + [f"^{i}:{year}" for i in keys[n.INITIAL]]


def name_area_keys(keys: dict[str, list[str]]) -> list[str]:
    """Each name token and initial paired with each outward code the person is known at
    ("smith:LS6", "^s:LS6"): a name with an outward code, the way a practitioner searches who
    knows the area but not the date of birth, is far more selective than either."""
    names = [*keys[n.NAME], *(f"^{i}" for i in keys[n.INITIAL])]
    return [f"{name}:{outward}" for outward in keys[n.OUTWARD] for name in names]


def address_keys(doc: AddressDocument) -> dict[str, list[str]]:
    """Every search key of an address: its elements, postcode and outward code."""
    return {
        n.POSTCODE: [n.compact_postcode(doc.postcode)] if doc.postcode else [],
        n.OUTWARD: n.unique([n.outward_code(doc.postcode) or ""] if doc.postcode else []),
        n.ADDRESS: n.address_tokens(doc.lines, doc.postcode, doc.uprn),
    }


@dataclass(frozen=True)
class NameWord:
    """One searched name word: how many spelling mistakes it tolerates and its nicknames.

    A one-letter word is an initial: it matches a name starting with it."""

    word: str
    edits: int
    nicknames: tuple[str, ...] = ()

    @property
    def is_initial(self) -> bool:
        return len(self.word) == 1


@dataclass(frozen=True)
class QueryKeys:
    """A query as keys: every name word must match (scored), and every filter must match.

    A filter is (field, keys): the document must hold at least one of the keys in that field.
    `unmatchable` is set when a criterion was given but yields no key (a name of punctuation
    only), so the search returns nothing rather than everyone."""

    words: tuple[NameWord, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    unmatchable: bool


def name_word(word: str) -> NameWord:
    """A searched name word with its spelling tolerance and nicknames."""
    return NameWord(word, n.max_edits(word), tuple(sorted(nicknames(word))))


def query_keys(query: PersonQuery) -> QueryKeys:
    """The keys a person must match for `query` (see `PersonQuery` for the contract)."""
    words = tuple(name_word(w) for w in n.unique(n.name_tokens(query.name)))
    filters: list[tuple[str, tuple[str, ...]]] = []
    if query.date_of_birth:
        filters.append((n.DOB, tuple(n.query_dob_keys(query.date_of_birth))))
    filters += _place_filters(query.postcode, query.address)
    if query.nhs_number:
        filters.append((n.NHS, (n.digits_only(query.nhs_number),)))
    if query.ref_id:
        filters.append((n.REF, (query.ref_id,)))
    unmatchable = (bool(query.name) and not words) or any(not keys[0] for _, keys in filters)
    unmatchable |= bool(query.address) and not n.query_address_tokens(query.address or "")
    return QueryKeys(words, tuple(filters), unmatchable)


def address_query_keys(query: AddressQuery) -> QueryKeys:
    """The keys an address must match for `query`."""
    filters = tuple(_place_filters(query.postcode, query.address))
    unmatchable = any(not keys[0] for _, keys in filters)
    unmatchable |= bool(query.address) and not n.query_address_tokens(query.address or "")
    return QueryKeys((), filters, unmatchable)


def misspelt_candidates(keys: QueryKeys) -> list[str]:
    """The searched address words to look for with spelling mistakes if no document holds them
    as typed ("Acaica" for "Acacia"): a word that is held is taken as typed, so a correctly spelt
    "Leeds" never widens to "Leek". Each adapter checks which of these its documents hold."""
    return [
        values[0]
        for field, values in keys.filters
        if field == n.ADDRESS and len(values) == 1 and n.is_misspellable_address_word(values[0])
    ]


def _place_filters(postcode: str | None, address: str | None) -> list[tuple[str, tuple[str, ...]]]:
    filters: list[tuple[str, tuple[str, ...]]] = []
    if postcode:
        field = n.OUTWARD if n.is_outward_code_only(postcode) else n.POSTCODE
        filters.append((field, (n.compact_postcode(postcode),)))
    if address:
        filters += [
            (n.ADDRESS, n.address_spellings(token)) for token in n.query_address_tokens(address)
        ]
    return filters
