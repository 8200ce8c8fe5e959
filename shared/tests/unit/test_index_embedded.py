"""What only the embedded index promises: durable across restarts, no full scans."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lateral_shared.index import PersonDocument, PersonName, PersonQuery
from lateral_shared.index import embedded_sql as sql
from lateral_shared.index.embedded import EmbeddedIndex
from lateral_shared.index.terms import query_keys


def _person(person_id: str, forename: str, surname: str, nhs: str) -> PersonDocument:
    return PersonDocument(
        person_id=person_id,
        version=1,
        names=[PersonName(forename=forename, surname=surname)],
        nhs_numbers=[nhs],
        date_of_birth="2012-03-04",
        postcodes=["LS6 1AA"],
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


async def test_documents_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    first = EmbeddedIndex(path)
    await first.start()
    await first.upsert_persons([_person("p1", "John", "Smith", "9434765919")])
    await first.close()
    second = EmbeddedIndex(path)
    await second.start()
    result = await second.search(PersonQuery(name="jonh"))
    await second.close()
    assert [h.person.person_id for h in result.hits] == ["p1"]


async def test_using_it_before_start_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="start"):
        await EmbeddedIndex(tmp_path / "index.db").get_person("p1")


def test_selective_searches_use_indexes_not_full_scans(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "plan.db")
    conn.executescript(sql.SCHEMA)
    people = [_person(f"p{i}", f"Name{i}", "Smith", f"90000000{i:02d}") for i in range(50)]
    sql.upsert(conn, people)
    conn.execute("ANALYZE")
    query = PersonQuery(
        name="Smiht Name7",
        date_of_birth="2012",
        postcode="ls6",
        nhs_number="9000000007",
        ref_id="R-1",
    )
    statement = sql.match_statement(conn, query_keys(query))
    assert statement is not None
    plan = " | ".join(
        row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement[0], statement[1])
    )
    # Every stored table is reached through its primary key; only the small per-criterion
    # sets built from those look-ups are scanned.
    assert not re.search(r"SCAN (person_keys|persons|k)\b", plan), plan
    assert plan.count("SEARCH k USING PRIMARY KEY") == 2, plan  # one per name word
    assert plan.count("SEARCH person_keys USING PRIMARY KEY") == 4, plan  # one per filter
    conn.close()
