"""The SearchIndex port. `EmbeddedIndex` (single process) and `OpenSearchIndex` (opensearch-py)
implement the same query contract (see `PersonQuery`), checked by the same contract tests."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from .documents import PersonDocument, PersonQuery, SearchResult


class SearchIndex(abc.ABC):
    @abc.abstractmethod
    async def start(self) -> None:
        """Connect and create the index with its mappings if it does not exist."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def upsert_persons(self, documents: Sequence[PersonDocument]) -> None:
        """Write documents in bulk. A document whose `version` is lower than the stored one is
        ignored, so a replayed or late event never overwrites newer data. Visible to search
        on return."""

    @abc.abstractmethod
    async def delete_persons(self, person_ids: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def get_person(self, person_id: str) -> PersonDocument | None: ...

    @abc.abstractmethod
    async def search(self, query: PersonQuery) -> SearchResult:
        """Persons matching every given criterion, best first, one page of them."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the index is not reachable (used by /readyz)."""
