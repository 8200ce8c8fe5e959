"""The search index: port, adapters (chosen by URL), the person and address documents."""

from __future__ import annotations

from .documents import (
    AddressDocument,
    AddressHit,
    AddressQuery,
    AddressResident,
    AddressResult,
    PersonAddress,
    PersonDocument,
    PersonName,
    PersonQuery,
    RecordLink,
    RecordSummary,
    SearchHit,
    SearchResult,
    address_id,
    as_address_id,
)
from .port import SearchIndex

__all__ = [
    "AddressDocument",
    "AddressHit",
    "AddressQuery",
    "AddressResident",
    "AddressResult",
    "PersonAddress",
    "PersonDocument",
    "PersonName",
    "PersonQuery",
    "RecordLink",
    "RecordSummary",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "address_id",
    "as_address_id",
    "connect_index",
]


def connect_index(url: str, *, index_name: str = "lateral-persons") -> SearchIndex:
    """The adapter for `url`: `embedded:///PATH` or an OpenSearch `http(s)://HOST:PORT` URL."""
    if url.startswith("embedded://"):
        from .embedded import EmbeddedIndex

        return EmbeddedIndex(url.removeprefix("embedded://"))
    if url.startswith(("http://", "https://")):
        from .opensearch import OpenSearchIndex

        return OpenSearchIndex(url, index_name=index_name)
    raise ValueError("LATERAL_INDEX_URL must start with embedded:// or http(s)://")
