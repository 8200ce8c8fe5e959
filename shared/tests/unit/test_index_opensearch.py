"""The OpenSearch adapter's error handling, with a scripted client standing in for the engine.

Its queries and writes are checked against a real engine in tests/contract."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from opensearchpy import TransportError

from lateral_shared.index import PersonDocument, PersonName, PersonQuery
from lateral_shared.index.opensearch import OpenSearchIndex, SearchIndexError

JANE = PersonDocument(
    person_id="p1",
    version=2,
    names=[PersonName(forename="Jane", surname="Doe")],
    updated_at=datetime(2025, 1, 1, tzinfo=UTC),
)


class ScriptedClient:
    """Answers bulk with the given items and fails every search like a real engine would."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    async def bulk(self, **_: Any) -> dict[str, Any]:
        return {"errors": True, "items": self.items}

    async def search(self, **_: Any) -> dict[str, Any]:
        reason = "failed to create query: Doe Jane [jane]"
        raise TransportError(400, "search_phase_execution_exception", {"error": {"reason": reason}})


def _index(items: list[dict[str, Any]]) -> OpenSearchIndex:
    client: Any = ScriptedClient(items)
    return OpenSearchIndex("http://127.0.0.1:9", client=client)


async def test_a_version_conflict_means_a_newer_version_is_stored() -> None:
    conflict = {
        "index": {
            "_id": "p1",
            "status": 409,
            "error": {"type": "version_conflict_engine_exception"},
        }
    }
    await _index([conflict]).upsert_persons([JANE])  # no error: the stale write is ignored


async def test_a_refused_document_fails_without_quoting_it() -> None:
    refused = {
        "index": {
            "_id": "p1",
            "status": 400,
            "error": {
                "type": "mapper_parsing_exception",
                "reason": "failed to parse field [x] value [Jane]",
            },
        }
    }
    with pytest.raises(SearchIndexError) as failure:
        await _index([refused]).upsert_persons([JANE])
    assert "mapper_parsing_exception" in str(failure.value)
    assert "Jane" not in str(failure.value)


async def test_a_failed_search_does_not_quote_the_query() -> None:
    with pytest.raises(SearchIndexError) as failure:
        await _index([]).search(PersonQuery(name="Jane Doe"))
    assert "400" in str(failure.value)
    assert "jane" not in str(failure.value).lower()
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
