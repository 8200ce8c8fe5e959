"""In-memory twins of the ports, for unit tests only. Contract and e2e tests use real engines."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from lateral_shared.bus.port import Consumer, EventBus, Message, OutgoingMessage
from lateral_shared.index.documents import (
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
from lateral_shared.index.normalise import INITIAL, NAME
from lateral_shared.index.port import SearchIndex
from lateral_shared.index.terms import (
    EXACT_SCORE,
    INITIAL_SCORE,
    NICKNAME_SCORE,
    QueryKeys,
    address_keys,
    address_query_keys,
    document_keys,
    query_keys,
)


class InMemoryBus(EventBus):
    """A non-durable bus with consumer groups and committed offsets, one partition per topic."""

    def __init__(self) -> None:
        self.topics: dict[str, list[Message]] = defaultdict(list)
        self.committed: dict[tuple[str, str], int] = {}
        self.fail_publish = False

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ensure_topics(self, topics: Sequence[str], *, partitions: int) -> None:
        for topic in topics:
            self.topics.setdefault(topic, [])

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if self.fail_publish:
            raise ConnectionError("bus unavailable")
        log = self.topics[topic]
        for m in messages:
            log.append(Message(topic, 0, len(log), m.key, m.value, dict(m.headers)))

    def consumer(self, group_id: str, topics: Sequence[str]) -> Consumer:
        return _InMemoryConsumer(self, group_id, list(topics))

    async def ping(self) -> None:
        if self.fail_publish:
            raise ConnectionError("bus unavailable")

    def values(self, topic: str) -> list[bytes]:
        return [m.value for m in self.topics[topic]]


class _InMemoryConsumer(Consumer):
    def __init__(self, bus: InMemoryBus, group_id: str, topics: list[str]) -> None:
        self._bus, self._group, self._topics = bus, group_id, topics
        self._position: dict[str, int] = {}

    async def start(self) -> None:
        for t in self._topics:
            self._position[t] = self._bus.committed.get((self._group, t), 0)

    async def fetch(self, *, max_messages: int = 500, timeout_s: float = 1.0) -> list[Message]:
        out: list[Message] = []
        for t in self._topics:
            log = self._bus.topics[t]
            take = log[self._position[t] : self._position[t] + max_messages - len(out)]
            self._position[t] += len(take)
            out.extend(take)
        if not out:
            await asyncio.sleep(min(timeout_s, 0.01))
        return out

    async def commit(self, messages: Sequence[Message]) -> None:
        for m in messages:
            key = (self._group, m.topic)
            self._bus.committed[key] = max(self._bus.committed.get(key, 0), m.offset + 1)

    async def stop(self) -> None:
        return None


class InMemoryIndex(SearchIndex):
    """Twin of the index for handler unit tests: the same keys as the real adapters, but name
    words match exactly, as nicknames or as initials (no spelling tolerance)."""

    def __init__(self) -> None:
        self.docs: dict[str, PersonDocument] = {}
        self.addresses: dict[str, AddressDocument] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def upsert_persons(self, documents: Sequence[PersonDocument]) -> None:
        for doc in documents:
            old = self.docs.get(doc.person_id)
            if old is None or old.version <= doc.version:
                self.docs[doc.person_id] = doc

    async def delete_persons(self, person_ids: Sequence[str]) -> None:
        for pid in person_ids:
            self.docs.pop(pid, None)

    async def get_persons(self, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
        return {pid: self.docs[pid] for pid in person_ids if pid in self.docs}

    async def search(self, query: PersonQuery) -> SearchResult:
        keys = query_keys(query)
        scored = [(_score(document_keys(d), keys), d) for d in self.docs.values()]
        ranked = sorted(
            ((s, d) for s, d in scored if s is not None), key=lambda sd: (-sd[0], sd[1].person_id)
        )
        hits = [SearchHit(person=d, score=s) for s, d in ranked]
        start = (query.page - 1) * query.page_size
        return SearchResult(total=len(hits), hits=hits[start : start + query.page_size])

    async def upsert_addresses(self, documents: Sequence[AddressDocument]) -> None:
        for doc in documents:
            old = self.addresses.get(doc.address_id)
            if old is None or old.version <= doc.version:
                self.addresses[doc.address_id] = doc

    async def delete_addresses(self, addresses: Sequence[str]) -> None:
        for reference in addresses:
            self.addresses.pop(as_address_id(reference), None)

    async def get_addresses(self, addresses: Sequence[str]) -> dict[str, AddressDocument]:
        ids = [as_address_id(a) for a in addresses]
        return {i: self.addresses[i] for i in ids if i in self.addresses}

    async def search_addresses(self, query: AddressQuery) -> AddressResult:
        keys = address_query_keys(query)
        found = [
            AddressHit(address=a, score=0.0)
            for a in sorted(self.addresses.values(), key=lambda a: a.address_key)
            if _score(address_keys(a), keys) is not None
        ]
        start = (query.page - 1) * query.page_size
        return AddressResult(total=len(found), hits=found[start : start + query.page_size])

    async def ping(self) -> None:
        return None


def _score(held: dict[str, list[str]], keys: QueryKeys) -> float | None:
    """The document's score for `keys`, or None if it does not match them all."""
    if keys.unmatchable or any(not set(v) & set(held.get(f, [])) for f, v in keys.filters):
        return None
    total = 0.0
    names, initials = set(held.get(NAME, [])), set(held.get(INITIAL, []))
    for word in keys.words:
        ways = [
            (word.word in names, EXACT_SCORE),
            (bool(names & set(word.nicknames)), NICKNAME_SCORE),
            (word.is_initial and word.word in initials, INITIAL_SCORE),
            (word.word[0] in names, INITIAL_SCORE),
        ]
        best = max((score for ok, score in ways if ok), default=None)
        if best is None:
            return None
        total += best
    return total
