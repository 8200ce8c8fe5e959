"""The SearchIndex port. `EmbeddedIndex` (single process) and `OpenSearchIndex` (opensearch-py)
implement the same query contract (see `PersonQuery` and `AddressQuery`), checked by the same
contract tests."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from .documents import (
    AddressDocument,
    AddressQuery,
    AddressResult,
    PersonDocument,
    PersonQuery,
    SearchResult,
    as_address_id,
)


class SearchIndex(abc.ABC):
    @abc.abstractmethod
    async def start(self) -> None:
        """Connect and create the indexes with their mappings if they do not exist."""

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
    async def get_persons(self, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
        """The stored documents of those persons that exist, by person ID."""

    async def get_person(self, person_id: str) -> PersonDocument | None:
        return (await self.get_persons([person_id])).get(person_id)

    @abc.abstractmethod
    async def search(self, query: PersonQuery) -> SearchResult:
        """Persons matching every given criterion, best first, one page of them."""

    @abc.abstractmethod
    async def upsert_addresses(self, documents: Sequence[AddressDocument]) -> None:
        """Write address documents in bulk; older versions are ignored, as for persons."""

    # Addresses are stored by their opaque `address_id`; these methods take IDs, or address keys
    # (turned into IDs with `as_address_id`), and answer by ID.

    @abc.abstractmethod
    async def delete_addresses(self, addresses: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def get_addresses(self, addresses: Sequence[str]) -> dict[str, AddressDocument]:
        """The stored documents of those addresses that exist, by address ID."""

    async def get_address(self, address: str) -> AddressDocument | None:
        """One address by its ID or key."""
        return (await self.get_addresses([address])).get(as_address_id(address))

    @abc.abstractmethod
    async def search_addresses(self, query: AddressQuery) -> AddressResult:
        """Addresses matching every given criterion, one page of them, ordered by address key."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the index is not reachable (used by /readyz)."""
