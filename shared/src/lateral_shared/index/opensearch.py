"""The OpenSearch adapter of the search index (opensearch-py's AsyncOpenSearch), for the
distributed mode. Same query contract as the embedded index, checked by the same contract tests.

Writes use the bulk API with external versioning (`external_gte`): OpenSearch itself refuses a
document older than the stored one, and that refusal (a version conflict) counts as success.

Errors never carry the engine's message: it can quote the query or the document (names, dates
of birth), so only the HTTP status and the error type are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from opensearchpy import AsyncOpenSearch, NotFoundError, TransportError
from opensearchpy import ConnectionError as EngineUnreachable

from .documents import (
    AddressDocument,
    AddressHit,
    AddressQuery,
    AddressResult,
    PersonDocument,
    PersonQuery,
    SearchHit,
    SearchResult,
    as_address_id,
)
from .opensearch_body import (
    ADDRESS_INDEX_BODY,
    INDEX_BODY,
    address_search_body,
    address_source,
    held_words_body,
    person_source,
    search_body,
)
from .port import SearchIndex
from .terms import QueryKeys, address_query_keys, misspelt_candidates, query_keys

BULK_CHUNK = 500

_Document = TypeVar("_Document", PersonDocument, AddressDocument)


class SearchIndexError(RuntimeError):
    """The index engine refused or failed a request (the message holds no personal data)."""


class OpenSearchIndex(SearchIndex):
    """A `SearchIndex` in the OpenSearch index `index_name` at `url` (credentials may be in it);
    addresses are in the index `<index_name>-addresses`.

    `refresh` is the bulk API's refresh parameter: "true" makes writes searchable on return;
    "wait_for" does too, cheaper for the cluster under heavy writes but waiting up to the
    refresh interval. `client` replaces the one built from `url` (tests)."""

    def __init__(
        self,
        url: str,
        *,
        index_name: str = "lateral-persons",
        refresh: str = "true",
        timeout_s: float = 10.0,
        client: AsyncOpenSearch | None = None,
    ) -> None:
        self._url, self._index, self._refresh, self._timeout_s = url, index_name, refresh, timeout_s
        self._addresses = f"{index_name}-addresses"
        self._client = client

    async def start(self) -> None:
        if self._client is None:
            self._client = AsyncOpenSearch(hosts=[self._url], timeout=self._timeout_s)
        await self._ensure(self._index, INDEX_BODY)
        await self._ensure(self._addresses, ADDRESS_INDEX_BODY)

    async def _ensure(self, index: str, body: dict[str, Any]) -> None:
        """Create the index, or add fields new since it was created (mappings only grow)."""
        client = self._started()
        try:
            if not await client.indices.exists(index=index):
                await client.indices.create(index=index, body=body)
            else:
                await client.indices.put_mapping(index=index, body=body["mappings"])
        except TransportError as exc:
            # Another replica may have created it between our check and our create.
            if _error_type(exc) != "resource_already_exists_exception":
                raise _safe_error("create index", exc) from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def upsert_persons(self, documents: Sequence[PersonDocument]) -> None:
        await self._index_versioned(
            self._index, [(d.person_id, d.version, person_source(d)) for d in documents]
        )

    async def delete_persons(self, person_ids: Sequence[str]) -> None:
        await self._delete(self._index, person_ids)

    async def upsert_addresses(self, documents: Sequence[AddressDocument]) -> None:
        await self._index_versioned(
            self._addresses, [(d.address_id, d.version, address_source(d)) for d in documents]
        )

    async def _index_versioned(
        self, index: str, documents: Sequence[tuple[str, int, dict[str, Any]]]
    ) -> None:
        """Store each (ID, version, source) unless the index holds a newer version already."""
        for start in range(0, len(documents), BULK_CHUNK):
            actions: list[dict[str, Any]] = []
            for doc_id, version, source in documents[start : start + BULK_CHUNK]:
                meta = {"_id": doc_id, "version": version, "version_type": "external_gte"}
                actions += [{"index": meta}, source]
            await self._bulk(index, actions, tolerated={409})  # 409: older than stored

    async def delete_addresses(self, addresses: Sequence[str]) -> None:
        await self._delete(self._addresses, [as_address_id(a) for a in addresses])

    async def _delete(self, index: str, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), BULK_CHUNK):
            actions = [{"delete": {"_id": doc_id}} for doc_id in ids[start : start + BULK_CHUNK]]
            await self._bulk(index, actions, tolerated={404})  # 404: already gone

    async def get_persons(self, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
        found = await self._get_many(self._index, person_ids)
        return {pid: _stored(PersonDocument, source) for pid, source in found.items()}

    async def get_addresses(self, addresses: Sequence[str]) -> dict[str, AddressDocument]:
        found = await self._get_many(self._addresses, [as_address_id(a) for a in addresses])
        return {key: _stored(AddressDocument, source) for key, source in found.items()}

    async def _get_many(self, index: str, ids: Sequence[str]) -> dict[str, Any]:
        """The stored source of each of `ids` that exists, by ID."""
        if not ids:
            return {}
        try:
            answer = await self._started().mget(
                index=index, body={"ids": list(ids)}, _source_includes=["document"]
            )
        except NotFoundError:
            return {}
        except TransportError as exc:
            raise _safe_error("get", exc) from None
        return {doc["_id"]: doc["_source"] for doc in answer["docs"] if doc.get("found")}

    async def search(self, query: PersonQuery) -> SearchResult:
        keys = query_keys(query)
        if keys.unmatchable:
            return SearchResult(total=0, hits=[])
        misspelt = await self._misspelt(self._index, keys)
        body = search_body(keys, page=query.page, page_size=query.page_size, misspelt=misspelt)
        answer = await self._search(self._index, body)
        hits = [
            SearchHit(
                person=_stored(PersonDocument, hit["_source"]),
                score=float(hit["_score"] or 0.0),
            )
            for hit in answer["hits"]["hits"]
        ]
        return SearchResult(total=answer["hits"]["total"]["value"], hits=hits)

    async def search_addresses(self, query: AddressQuery) -> AddressResult:
        keys = address_query_keys(query)
        if keys.unmatchable:
            return AddressResult(total=0, hits=[])
        misspelt = await self._misspelt(self._addresses, keys)
        body = address_search_body(
            keys, page=query.page, page_size=query.page_size, misspelt=misspelt
        )
        answer = await self._search(self._addresses, body)
        hits = [
            AddressHit(address=_stored(AddressDocument, hit["_source"]), score=1.0)
            for hit in answer["hits"]["hits"]
        ]
        return AddressResult(total=answer["hits"]["total"]["value"], hits=hits)

    async def _misspelt(self, index: str, keys: QueryKeys) -> frozenset[str]:
        """The query's address words that no document holds as typed: one request, made only
        when the query has such words (`terms.misspelt_candidates`)."""
        words = misspelt_candidates(keys)
        if not words:
            return frozenset()
        answer = await self._search(index, held_words_body(words))
        buckets = answer["aggregations"]["held"]["buckets"]
        return frozenset(word for word in words if buckets[word]["doc_count"] == 0)

    async def _search(self, index: str, body: dict[str, Any]) -> Any:
        try:
            return await self._started().search(index=index, body=body)
        except TransportError as exc:
            raise _safe_error("search", exc) from None

    async def ping(self) -> None:
        try:
            await self._started().info()
        except TransportError as exc:
            raise _safe_error("ping", exc) from None

    async def _bulk(
        self, index: str, actions: list[dict[str, Any]], *, tolerated: set[int]
    ) -> None:
        if not actions:
            return
        try:
            answer = await self._started().bulk(index=index, body=actions, refresh=self._refresh)
        except TransportError as exc:
            raise _safe_error("bulk write", exc) from None
        if not answer.get("errors"):
            return
        failed = [
            item
            for entry in answer["items"]
            for item in entry.values()
            if item.get("status", 500) >= 300 and item.get("status") not in tolerated
        ]
        if failed:
            kinds = sorted({str(item.get("error", {}).get("type", "unknown")) for item in failed})
            raise SearchIndexError(f"bulk write: {len(failed)} item(s) failed: {', '.join(kinds)}")

    def _started(self) -> AsyncOpenSearch:
        if self._client is None:
            raise RuntimeError("the OpenSearch index is not started: call start() first")
        return self._client


def _stored(model: type[_Document], source: dict[str, Any]) -> _Document:
    """The document kept in a stored source: JSON text, or an object if written before."""
    document = source["document"]
    if isinstance(document, str):
        return model.model_validate_json(document)
    return model.model_validate(document)


def _error_type(exc: TransportError) -> str:
    """The engine's error type ("version_conflict_engine_exception"), never its message."""
    if isinstance(exc, EngineUnreachable):
        return "engine unreachable"  # its message names the host, maybe with credentials
    # A JSON error gives its type; any other body is raw text, which is never repeated.
    error = exc.error if isinstance(exc.error, str) else ""
    return error if re.fullmatch(r"[a-z_]{1,80}", error) else "unknown"


def _safe_error(action: str, exc: TransportError) -> SearchIndexError:
    """The error without the engine's message (which may quote personal data)."""
    return SearchIndexError(f"{action} failed: status {exc.status_code}, {_error_type(exc)}")
