"""Request bodies for the OpenSearch adapter: index settings and mappings, the stored source of a
person or an address, and the search queries. Pure functions, built from the same keys as the
embedded index.

Only API that OpenSearch and Elasticsearch both support is used (noida-db in the tests speaks the
Elasticsearch API; production runs OpenSearch).
"""

from __future__ import annotations

from typing import Any

from . import normalise as n
from .documents import AddressDocument, PersonDocument
from .terms import (
    EXACT_SCORE,
    FUZZY_SCORE,
    INITIAL_SCORE,
    NICKNAME_SCORE,
    NameWord,
    QueryKeys,
    address_keys,
    document_keys,
)

# Deep pages are allowed by `PersonQuery` (page <= 1000, page_size <= 100).
MAX_RESULT_WINDOW = 100_000
# Indexed spellings a misspelt word may expand to (OpenSearch's default is 50).
MAX_SPELLINGS = 1_000

_KEYWORD = {"type": "keyword"}
INDEX_BODY: dict[str, Any] = {
    "settings": {
        "index": {"max_result_window": MAX_RESULT_WINDOW},
        "analysis": {
            "analyzer": {
                # Tokens arrive already split and folded by `normalise`; the analyzer folds
                # again so anything written by other tools is searchable the same way.
                "person_name": {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["lowercase", "asciifolding"],
                }
            }
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "person_id": _KEYWORD,
            "version": {"type": "long"},
            n.NAME: {"type": "text", "analyzer": "person_name"},
            n.DOB: _KEYWORD,  # the date of birth at each precision (see `normalise.dob_keys`)
            n.POSTCODE: _KEYWORD,
            n.OUTWARD: _KEYWORD,
            n.NHS: _KEYWORD,
            n.REF: _KEYWORD,
            n.INITIAL: _KEYWORD,
            n.ADDRESS: _KEYWORD,
            "agencies": _KEYWORD,
            "has_open_case": {"type": "boolean"},
            "updated_at": {"type": "date"},
            # The whole document, records included, returned by get_person: stored as JSON text
            # (see `person_source`); never parsed by the engine.
            "document": {"type": "object", "enabled": False},
        },
    },
}


ADDRESS_INDEX_BODY: dict[str, Any] = {
    "settings": {"index": {"max_result_window": MAX_RESULT_WINDOW}},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "address_id": _KEYWORD,
            "address_key": _KEYWORD,
            "version": {"type": "long"},
            n.POSTCODE: _KEYWORD,
            n.OUTWARD: _KEYWORD,
            n.ADDRESS: _KEYWORD,
            "updated_at": {"type": "date"},
            "document": {"type": "object", "enabled": False},
        },
    },
}


def address_source(doc: AddressDocument) -> dict[str, Any]:
    """What is stored for an address: its search keys and the document itself (as JSON text, see
    `person_source`)."""
    return {
        "address_id": doc.address_id,
        "address_key": doc.address_key,
        "version": doc.version,
        **address_keys(doc),
        "updated_at": doc.updated_at.isoformat(),
        "document": doc.model_dump_json(),
    }


def address_search_body(
    keys: QueryKeys, *, page: int, page_size: int, misspelt: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The address search request: every filter must hold; ordered by address key."""
    return {
        "query": {"bool": {"filter": _filters(keys, misspelt)}},
        "sort": [{"address_key": "asc"}],
        "from": (page - 1) * page_size,
        "size": page_size,
        "track_total_hits": True,
        "_source": ["document"],
    }


def person_source(doc: PersonDocument) -> dict[str, Any]:
    """What is stored for a person: its search keys and the document itself.

    The document is one JSON string, not an object: a disabled (`enabled: false`) field takes
    either unparsed, and to an engine that walks every source on every search (noida-db in the
    tests) a string is one value where the object is ~80; searches took half the time. Documents
    written before as objects are still read."""
    return {
        "person_id": doc.person_id,
        "version": doc.version,
        **document_keys(doc),
        "agencies": [a.value for a in doc.agencies],
        "has_open_case": doc.has_open_case,
        "updated_at": doc.updated_at.isoformat(),
        "document": doc.model_dump_json(),
    }


def search_body(
    keys: QueryKeys, *, page: int, page_size: int, misspelt: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The search request: each name word must match (scored), each filter must hold; the
    address words in `misspelt` (held by no document as typed) match with spelling mistakes."""
    return {
        "query": {
            "bool": {
                "must": [_name_word(word) for word in keys.words],
                "filter": _filters(keys, misspelt),
            }
        },
        "sort": [{"_score": "desc"}, {"person_id": "asc"}],
        "from": (page - 1) * page_size,
        "size": page_size,
        "track_total_hits": True,
        "_source": ["document"],
    }


def held_words_body(words: list[str]) -> dict[str, Any]:
    """How many documents hold each address word as typed (`terms.misspelt_candidates`)."""
    held = {word: {"term": {n.ADDRESS: word}} for word in words}
    return {"size": 0, "aggs": {"held": {"filters": {"filters": held}}}}


def _filters(keys: QueryKeys, misspelt: frozenset[str]) -> list[dict[str, Any]]:
    return [
        _misspelt_word(values[0])
        if field == n.ADDRESS and len(values) == 1 and values[0] in misspelt
        else {"terms": {field: list(values)}}
        for field, values in keys.filters
    ]


def _misspelt_word(word: str) -> dict[str, Any]:
    """An address word with the spelling mistakes a name word tolerates (`normalise.max_edits`),
    or a street-type word it is close to however that is written."""
    fuzzy = {
        "fuzzy": {
            n.ADDRESS: {
                "value": word,
                "fuzziness": "AUTO",
                "transpositions": True,
                "max_expansions": MAX_SPELLINGS,
                "rewrite": "constant_score",
            }
        }
    }
    street_types = n.street_type_spellings_near(word)
    if not street_types:
        return fuzzy
    either = [fuzzy, {"terms": {n.ADDRESS: list(street_types)}}]
    return {"bool": {"should": either, "minimum_should_match": 1}}


def _scored(query: dict[str, Any], score: float) -> dict[str, Any]:
    return {"constant_score": {"filter": query, "boost": score}}


def _name_word(word: NameWord) -> dict[str, Any]:
    """A word scored by its best way of matching: exactly, as a nickname, with spelling mistakes,
    or as an initial (see `terms` for the scores)."""
    if word.is_initial:
        return {
            "dis_max": {
                "queries": [
                    _scored({"term": {n.NAME: word.word}}, EXACT_SCORE),
                    _scored({"term": {n.INITIAL: word.word}}, INITIAL_SCORE),
                ]
            }
        }
    ways = [_scored({"term": {n.NAME: word.word}}, EXACT_SCORE)]
    if word.nicknames:
        ways.append(_scored({"terms": {n.NAME: list(word.nicknames)}}, NICKNAME_SCORE))
    if word.edits:
        fuzzy = {
            "match": {
                n.NAME: {
                    "query": word.word,
                    "fuzziness": "AUTO",
                    "operator": "and",
                    "fuzzy_transpositions": True,
                    # Every close token, not only the 50 most frequent (the default): a common
                    # surname has many spellings. noida-db honours only max_expansions.
                    "max_expansions": MAX_SPELLINGS,
                    "fuzzy_rewrite": "constant_score",
                }
            }
        }
        ways.append(_scored(fuzzy, FUZZY_SCORE))
    ways.append(_scored({"term": {n.NAME: word.word[0]}}, INITIAL_SCORE))  # held as an initial
    return {"dis_max": {"queries": ways}}
