"""How the embedded index answers a search (blocking SQLite reads; run in reader threads).

Each criterion (a name word, a date of birth, a postcode, an address element, ...) is a set of
alternative keys, each with a score: a document matches the criterion when it holds one of them.
A search starts from its most selective criterion — the one with the fewest rows, counted up to
`SELECTIVE_ROWS` — and narrows the candidates with each of the others, in order of selectivity,
the cheapest way for each (`_narrow`): reading the criterion's rows, looking each candidate up
under the criterion's keys, or reading the candidates' own keys. So the cost follows the most
selective criterion given, not the broadest: a misspelt name with an outward code shared by
34,000 persons reads the name's few hundred rows and looks the outward code up for those alone.

A name searched with a date of birth (the commonest search) looks its words up paired with the
birth year (`terms.name_year_keys`): "smith" alone is tens of thousands of persons nationally,
"smith" born in 2012 a few hundred. The date of birth is still checked in full as a filter.
A name searched with an outward code alone ("smiht", "LS6") is looked up the same way paired
with the outward code (`terms.name_area_keys`), and preferred to the year when both are given:
an outward code holds fewer persons than a birth year.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence

from . import normalise as n
from .embedded_sql import ADDRESS_WORDS, FIELD_CODES, NAME_WORDS, Collection, Vocabulary
from .terms import (
    EXACT_SCORE,
    FUZZY_SCORE,
    INITIAL_SCORE,
    NICKNAME_SCORE,
    NameWord,
    QueryKeys,
    misspelt_candidates,
)

# Criteria are counted up to this many rows to find the most selective.
SELECTIVE_ROWS = 1_000
# When no criterion is selective, the broad ones are counted again up to this many rows, so the
# search still starts from the smallest.
BROAD_ROWS = 200_000
# Rough costs of the ways to narrow candidates (`_narrow`), in rows visited inside SQLite: a
# row handed to Python, a primary-key look-up, and the keys a document holds (a person: names,
# initials, dates, postcodes, address elements...).
ROW_READ_COST = 10
LOOK_UP_COST = 2
KEYS_PER_DOCUMENT = 25
# Candidates probed in one statement (SQLite allows 32,766 parameters).
PROBE_CHUNK = 2_000

# (field code, key) -> the score of holding that key
Criterion = dict[tuple[int, str], float]


def matches(
    conn: sqlite3.Connection, where: Collection, keys: QueryKeys
) -> list[tuple[str, float]]:
    """Every (id, score) matching all of `keys`, best first, ties by id."""
    criteria = build_criteria(conn, where, keys)
    if criteria is None:
        return []
    sized = _by_selectivity(conn, where, criteria)
    _, _, first, _ = sized[0]
    found = _read(conn, where, first)
    for rows, _, criterion, exact in sized[1:]:
        if not found:
            break
        found = _narrow(conn, where, criterion, found, rows, exact=exact)
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


def _by_selectivity(
    conn: sqlite3.Connection, where: Collection, criteria: list[Criterion]
) -> list[tuple[int, int, Criterion, bool]]:
    """(rows, position, criterion, whether rows is exact) for each criterion, the most
    selective first. Rows are counted up to `SELECTIVE_ROWS`; when none is below that, the
    criteria still unbounded are counted again with a cap eight times higher (up to
    `BROAD_ROWS`) until one is below it: the smallest is found without counting every row of
    the broad ones. Rows not exact are a lower bound."""
    cap = SELECTIVE_ROWS
    counted = [(_count(conn, where, c), i, c) for i, c in enumerate(criteria)]
    sized = sorted((rows, i, c, rows < cap) for rows, i, c in counted)
    while len(sized) > 1 and not sized[0][3] and cap < BROAD_ROWS:
        cap = min(cap * 8, BROAD_ROWS)
        sized = sorted(
            (rows, i, c, rows < cap)
            for old, i, c, exact in sized
            for rows in [old if exact else _count(conn, where, c, cap)]
        )
    return sized


def _narrow(
    conn: sqlite3.Connection,
    where: Collection,
    criterion: Criterion,
    found: dict[str, float],
    rows: int,
    *,
    exact: bool,
) -> dict[str, float]:
    """The candidates that also match `criterion`, by the cheapest of three ways: read the
    criterion's rows; look each candidate up under each of the criterion's keys; or read each
    candidate's own keys through the by-document index (best for a name word that spells many
    ways). `rows` is the criterion's row count, or a lower bound if not `exact`: counted
    further only when reading could still be the cheapest."""
    costs = {
        "read": rows * ROW_READ_COST,
        "probe": len(found) * len(criterion) * LOOK_UP_COST,
        "by_document": len(found) * KEYS_PER_DOCUMENT,
    }
    if not exact and costs["read"] <= min(costs["probe"], costs["by_document"]):
        costs["read"] = _count(conn, where, criterion, BROAD_ROWS) * ROW_READ_COST
    cheapest = min(costs, key=lambda way: costs[way])
    if cheapest == "read":
        return _intersect(found, _read(conn, where, criterion))
    if cheapest == "probe":
        return _probe(conn, where, criterion, found)
    return _intersect(found, _keys_of(conn, where, criterion, found))


def _keys_of(
    conn: sqlite3.Connection, where: Collection, criterion: Criterion, found: dict[str, float]
) -> dict[str, float]:
    """The candidates' own keys in the criterion's fields, kept where the criterion has them."""
    ids = sorted(found)
    fields = sorted({field for field, _ in criterion})
    rows: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), PROBE_CHUNK):
        chunk = ids[start : start + PROBE_CHUNK]
        rows += conn.execute(
            f"SELECT field, key, {where.id} FROM {where.keys} INDEXED BY {where.keys_by_document} "
            f"WHERE {where.id} IN ({','.join('?' * len(chunk))}) "
            f"AND field IN ({','.join('?' * len(fields))})",
            [*chunk, *fields],
        ).fetchall()
    return _best(criterion, [row for row in rows if (row[0], row[1]) in criterion])


def build_criteria(
    conn: sqlite3.Connection, where: Collection, keys: QueryKeys
) -> list[Criterion] | None:
    """The criteria of a query, or None when one of them can match nothing."""
    if keys.unmatchable:
        return None
    year = next((values[0][:4] for field, values in keys.filters if field == n.DOB), None)
    area = next((values[0] for field, values in keys.filters if field == n.OUTWARD), None)
    criteria = [_word_criterion(conn, word) for word in keys.words]
    if area is not None:  # an outward code holds fewer persons than a birth year
        criteria = [_paired(criterion, n.NAME_AREA, area) for criterion in criteria]
    elif year is not None:
        criteria = [_paired(criterion, n.NAME_YEAR, year) for criterion in criteria]
    misspelt = _misspelt(conn, where, misspelt_candidates(keys))
    criteria += [
        {(FIELD_CODES[field], key): 0.0 for key in _filter_keys(conn, field, values, misspelt)}
        for field, values in keys.filters
    ]
    return None if any(not c for c in criteria) else criteria


def _filter_keys(
    conn: sqlite3.Connection, field: str, values: Sequence[str], misspelt: set[str]
) -> Sequence[str]:
    """A filter's keys; for a misspelt address word, the close spellings that are indexed."""
    if field == n.ADDRESS and len(values) == 1 and values[0] in misspelt:
        word = values[0]
        close = _fuzzy_tokens(conn, ADDRESS_WORDS, word, n.max_edits(word))
        return [*close, *n.street_type_spellings_near(word)]
    return values


def _misspelt(conn: sqlite3.Connection, where: Collection, words: list[str]) -> set[str]:
    """The address words that no document holds as typed (`terms.misspelt_candidates`)."""
    code = FIELD_CODES[n.ADDRESS]
    return {
        word
        for word in words
        if conn.execute(
            f"SELECT 1 FROM {where.keys} WHERE field = ? AND key = ? LIMIT 1", (code, word)
        ).fetchone()
        is None
    }


def _word_criterion(conn: sqlite3.Connection, word: NameWord) -> Criterion:
    """The name tokens (and initials) a word matches, each with how well."""
    name, initial = FIELD_CODES[n.NAME], FIELD_CODES[n.INITIAL]
    if word.is_initial:
        return {(name, word.word): EXACT_SCORE, (initial, word.word): INITIAL_SCORE}
    found: Criterion = {(name, word.word[0]): INITIAL_SCORE}  # a name held as an initial
    for token in _fuzzy_tokens(conn, NAME_WORDS, word.word, word.edits):
        found[(name, token)] = FUZZY_SCORE
    for nickname in word.nicknames:
        found[(name, nickname)] = NICKNAME_SCORE
    found[(name, word.word)] = EXACT_SCORE
    return found


def _paired(criterion: Criterion, field: str, with_: str) -> Criterion:
    """A name word's criterion narrowed to persons born in a year or known at an outward
    code, through the keys pairing each name and initial with it (`terms.name_year_keys`,
    `terms.name_area_keys`; see the module docstring)."""
    code = FIELD_CODES[field]
    initial = FIELD_CODES[n.INITIAL]
    return {
        (code, f"^{key}:{with_}" if held == initial else f"{key}:{with_}"): score
        for (held, key), score in criterion.items()
    }


def _fuzzy_tokens(
    conn: sqlite3.Connection, vocabulary: Vocabulary, word: str, edits: int
) -> list[str]:
    """The vocabulary's words within `edits` of `word` (the word itself included if held)."""
    if edits == 0:
        return []
    lookups = sorted(n.deletions(word, edits))
    marks = ",".join("?" * len(lookups))
    rows = conn.execute(
        f"SELECT DISTINCT token FROM {vocabulary.deletions} WHERE deletion IN ({marks})", lookups
    ).fetchall()
    return [token for (token,) in rows if n.within_edits(word, token, edits)]


def _by_field(criterion: Criterion) -> dict[int, list[str]]:
    fields: dict[int, list[str]] = defaultdict(list)
    for field, key in criterion:
        fields[field].append(key)
    return fields


def _count(
    conn: sqlite3.Connection, where: Collection, criterion: Criterion, cap: int = SELECTIVE_ROWS
) -> int:
    """The criterion's rows, counted up to `cap` (enough to rank criteria)."""
    total = 0
    for field, values in _by_field(criterion).items():
        marks = ",".join("?" * len(values))
        (rows,) = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {where.keys} WHERE field = ? "
            f"AND key IN ({marks}) LIMIT {cap})",
            [field, *values],
        ).fetchone()
        total += rows
    return min(total, cap)


def _read(conn: sqlite3.Connection, where: Collection, criterion: Criterion) -> dict[str, float]:
    """Every document matching the criterion, with its best score for it."""
    rows: list[tuple[int, str, str]] = []
    for field, values in _by_field(criterion).items():
        marks = ",".join("?" * len(values))
        rows += conn.execute(
            f"SELECT field, key, {where.id} FROM {where.keys} WHERE field = ? AND key IN ({marks})",
            [field, *values],
        ).fetchall()
    return _best(criterion, rows)


def _probe(
    conn: sqlite3.Connection, where: Collection, criterion: Criterion, found: dict[str, float]
) -> dict[str, float]:
    """The candidates in `found` that also match the criterion, scores added."""
    ids = sorted(found)
    rows: list[tuple[int, str, str]] = []
    for field, values in _by_field(criterion).items():
        for start in range(0, len(ids), PROBE_CHUNK):
            chunk = ids[start : start + PROBE_CHUNK]
            rows += conn.execute(*probe_statement(where, field, values, chunk)).fetchall()
    return _intersect(found, _best(criterion, rows))


def probe_statement(
    where: Collection, field: int, values: Sequence[str], ids: Sequence[str]
) -> tuple[str, list[object]]:
    """Which of `ids` hold one of `values` in `field`: one primary-key look-up per pair."""
    key_marks, id_marks = ",".join("?" * len(values)), ",".join("?" * len(ids))
    return (
        f"SELECT field, key, {where.id} FROM {where.keys} WHERE field = ? "
        f"AND key IN ({key_marks}) AND {where.id} IN ({id_marks})",
        [field, *values, *ids],
    )


def _best(criterion: Criterion, rows: Iterable[tuple[int, str, str]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for field, key, doc_id in rows:
        score = criterion[(field, key)]
        if score >= best.get(doc_id, -1.0):
            best[doc_id] = score
    return best


def _intersect(found: dict[str, float], other: dict[str, float]) -> dict[str, float]:
    smaller, larger = (found, other) if len(found) <= len(other) else (other, found)
    return {doc_id: found[doc_id] + other[doc_id] for doc_id in smaller if doc_id in larger}
