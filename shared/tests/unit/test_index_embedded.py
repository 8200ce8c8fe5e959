"""What only the embedded index promises: durable across restarts, no full scans."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lateral_shared.index import PersonAddress, PersonDocument, PersonName, PersonQuery
from lateral_shared.index import embedded_match as match
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


def test_a_search_reads_its_selective_criteria_and_probes_the_broad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match, "SELECTIVE_ROWS", 20)  # 60 persons share the outward code LS6
    conn = sqlite3.connect(tmp_path / "plan.db")
    conn.executescript(sql.SCHEMA)
    people = [_person(f"p{i}", f"Name{i}", "Smith", f"90000000{i:02d}") for i in range(60)]
    sql.upsert(conn, [*people, _person("p-otto", "Ottoline", "Smith", "9000000099")])
    conn.execute("ANALYZE")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    query = PersonQuery(name="Smiht Otoline", date_of_birth="2012", postcode="ls6")
    found = match.matches(conn, sql.PERSONS, query_keys(query))
    conn.set_trace_callback(None)
    assert [pid for pid, _ in found] == ["p-otto"]
    reads = [s for s in statements if s.startswith("SELECT field, key")]
    outward = str(sql.FIELD_CODES["outward_codes"])
    # The outward code (60 rows) is only probed for the candidates the name left, never read.
    assert any(f"WHERE field = {outward} " in s and "person_id IN ('p-otto')" in s for s in reads)
    assert not any(f"WHERE field = {outward} " in s and "person_id IN" not in s for s in reads)
    for statement in statements:  # and every statement goes through an index, never a scan
        if statement.startswith("SELECT"):
            plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + statement))
            assert not re.search(r"\bSCAN (person_keys|persons|name_deletions)\b", plan), plan
    conn.close()


@pytest.mark.parametrize("way", ["ROW_READ_COST", "LOOK_UP_COST", "KEYS_PER_DOCUMENT"])
def test_every_way_of_narrowing_finds_the_same_persons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    for cost in ("ROW_READ_COST", "LOOK_UP_COST", "KEYS_PER_DOCUMENT"):
        monkeypatch.setattr(match, cost, 0 if cost == way else 10**9)
    conn = sqlite3.connect(tmp_path / "ways.db")
    conn.executescript(sql.SCHEMA)
    people = [_person(f"p{i}", f"Name{i}", "Smith", f"90000000{i:02d}") for i in range(30)]
    sql.upsert(conn, [*people, _person("p-smyth", "Name3", "Smyth", "9000000099")])
    query = PersonQuery(name="Smiht Name3", postcode="LS6 1AA")
    found = match.matches(conn, sql.PERSONS, query_keys(query))
    # Name3 exactly and Smith one edit away first; then the names one edit from "name3" (Name0
    # to Name9, Name13, Name23). Smyth is two edits from "smiht": not found.
    assert found[0] == ("p3", 3.0)
    assert sorted(found[1:]) == sorted((f"p{i}", 2.0) for i in [*range(10), 13, 23] if i != 3)
    conn.close()


def test_a_name_with_an_outward_code_reads_the_name_and_area_keys_not_the_area(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match, "SELECTIVE_ROWS", 20)  # 61 persons share the outward code LS6
    conn = sqlite3.connect(tmp_path / "area.db")
    sql.prepare(conn)
    people = [_person(f"p{i}", f"Name{i}", "Smith", f"90000000{i:02d}") for i in range(60)]
    elsewhere = _person("p-leeds", "Ottoline", "Smith", "9000000098")
    elsewhere = elsewhere.model_copy(update={"postcodes": ["LS7 2BB"]})
    sql.upsert(conn, [*people, _person("p-otto", "Ottoline", "Smith", "9000000099"), elsewhere])
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    query = PersonQuery(name="Otoline", postcode="LS6")
    found = match.matches(conn, sql.PERSONS, query_keys(query))
    conn.set_trace_callback(None)
    assert found == [("p-otto", 1.0)]  # one edit from "ottoline"; the LS7 Ottoline is not found
    area = str(sql.FIELD_CODES["name_areas"])
    outward = str(sql.FIELD_CODES["outward_codes"])
    reads = [s for s in statements if s.startswith("SELECT field, key")]
    assert any(f"WHERE field = {area} " in s and "'ottoline:LS6'" in s for s in reads)
    assert not any(f"WHERE field = {outward} " in s and "person_id IN" not in s for s in reads)
    conn.close()


async def test_a_file_from_before_the_name_and_area_keys_gets_them_on_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(sql.SCHEMA)
    sql.upsert(conn, [_person("p1", "John", "Smith", "9434765919")])
    conn.execute(f"DELETE FROM person_keys WHERE field = {sql.FIELD_CODES['name_areas']}")
    conn.commit()  # as written by the code before version 1: no name + outward code keys
    conn.close()
    index = EmbeddedIndex(path)
    await index.start()
    try:
        result = await index.search(PersonQuery(name="Smiht", postcode="LS6"))
    finally:
        await index.close()
    assert [h.person.person_id for h in result.hits] == ["p1"]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone() == (sql.SCHEMA_VERSION,)


async def test_a_file_from_before_the_address_vocabulary_gets_it_on_start(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(sql.SCHEMA)
    home = PersonAddress(lines=["12 Acacia Avenue", "Headingley"], postcode="LS6 1AA")
    sql.upsert(conn, [_person("p1", "John", "Smith", "9434765919").model_copy(
        update={"addresses": [home]})])  # fmt: skip
    conn.execute("DELETE FROM address_vocabulary")
    conn.execute("DELETE FROM address_deletions")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()  # as written by the code of version 1: no address vocabulary
    conn.close()
    index = EmbeddedIndex(path)
    await index.start()
    try:
        result = await index.search(PersonQuery(address="12 Accacia Avenue Headinlgey"))
    finally:
        await index.close()
    assert [h.person.person_id for h in result.hits] == ["p1"]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone() == (sql.SCHEMA_VERSION,)
