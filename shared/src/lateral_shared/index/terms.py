"""A person document and a query reduced to search keys, the same way for both index adapters."""

from __future__ import annotations

from dataclasses import dataclass

from . import normalise as n
from .documents import PersonDocument, PersonQuery

# Score of a name word matched exactly, and with spelling mistakes: exact matches rank first.
# Other criteria filter without scoring; ties are broken by person_id.
EXACT_SCORE = 2.0
FUZZY_SCORE = 1.0


def document_keys(doc: PersonDocument) -> dict[str, list[str]]:
    """Every search key of a person, by field (see `normalise` for what each field holds)."""
    name_parts = [p for name in doc.names for p in (name.forename, name.middle_names, name.surname)]
    tokens = [t for part in [*name_parts, *doc.aliases] for t in n.name_tokens(part)]
    postcodes = [*doc.postcodes, *(a.postcode for a in doc.addresses if a.postcode)]
    return {
        n.NAME: n.unique(tokens),
        n.DOB: n.dob_keys(doc.date_of_birth),
        n.POSTCODE: n.unique(n.compact_postcode(p) for p in postcodes),
        n.OUTWARD: n.unique(n.outward_code(p) or "" for p in postcodes),
        n.NHS: n.unique(n.digits_only(x) for x in doc.nhs_numbers),
        n.REF: n.unique(r.source_record_id for r in doc.records),
    }


@dataclass(frozen=True)
class NameWord:
    """One searched name word and how many spelling mistakes it tolerates."""

    word: str
    edits: int


@dataclass(frozen=True)
class QueryKeys:
    """A query as keys: every name word must match (scored), and every filter must match.

    A filter is (field, keys): the person must hold at least one of the keys in that field.
    `unmatchable` is set when a criterion was given but yields no key (a name of punctuation
    only), so the search returns nothing rather than everyone."""

    words: tuple[NameWord, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    unmatchable: bool


def query_keys(query: PersonQuery) -> QueryKeys:
    """The keys a person must match for `query` (see `PersonQuery` for the contract)."""
    words = tuple(NameWord(w, n.max_edits(w)) for w in n.unique(n.name_tokens(query.name)))
    filters: list[tuple[str, tuple[str, ...]]] = []
    if query.date_of_birth:
        filters.append((n.DOB, tuple(n.query_dob_keys(query.date_of_birth))))
    if query.postcode:
        field = n.OUTWARD if n.is_outward_code_only(query.postcode) else n.POSTCODE
        filters.append((field, (n.compact_postcode(query.postcode),)))
    if query.nhs_number:
        filters.append((n.NHS, (n.digits_only(query.nhs_number),)))
    if query.ref_id:
        filters.append((n.REF, (query.ref_id,)))
    unmatchable = (bool(query.name) and not words) or any(not keys[0] for _, keys in filters)
    return QueryKeys(words, tuple(filters), unmatchable)
