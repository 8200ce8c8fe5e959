"""The search index: port, adapters (chosen by URL) and the person document."""

from __future__ import annotations

from .documents import (
    PersonAddress,
    PersonDocument,
    PersonName,
    PersonQuery,
    RecordSummary,
    SearchHit,
    SearchResult,
)
from .port import SearchIndex

__all__ = [
    "PersonAddress",
    "PersonDocument",
    "PersonName",
    "PersonQuery",
    "RecordSummary",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
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
