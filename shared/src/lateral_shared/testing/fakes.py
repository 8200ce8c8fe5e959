"""In-memory twins of the ports, for unit tests only. Contract and e2e tests use real engines."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from lateral_shared.bus.port import Consumer, EventBus, Message, OutgoingMessage
from lateral_shared.index.documents import PersonDocument, PersonQuery, SearchHit, SearchResult
from lateral_shared.index.port import SearchIndex


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
    """Exact-match twin of the index for handler unit tests (no spelling tolerance)."""

    def __init__(self) -> None:
        self.docs: dict[str, PersonDocument] = {}

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

    async def get_person(self, person_id: str) -> PersonDocument | None:
        return self.docs.get(person_id)

    async def search(self, query: PersonQuery) -> SearchResult:
        hits = [SearchHit(person=d, score=1.0) for d in self.docs.values() if _matches(d, query)]
        start = (query.page - 1) * query.page_size
        return SearchResult(total=len(hits), hits=hits[start : start + query.page_size])

    async def ping(self) -> None:
        return None


def _matches(doc: PersonDocument, q: PersonQuery) -> bool:
    words = {w.lower() for n in doc.names for w in (n.forename, n.middle_names, n.surname) if w}
    if q.name and not all(w.lower() in words for w in q.name.split()):
        return False
    if q.nhs_number and q.nhs_number.replace(" ", "") not in doc.nhs_numbers:
        return False
    if q.date_of_birth and not (doc.date_of_birth or "").startswith(q.date_of_birth):
        return False
    if q.ref_id and q.ref_id not in {r.source_record_id for r in doc.records}:
        return False
    return not (
        q.postcode
        and q.postcode.upper().replace(" ", "") not in {p.replace(" ", "") for p in doc.postcodes}
    )
