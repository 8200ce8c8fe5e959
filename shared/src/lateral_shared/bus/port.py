"""The EventBus port: a partitioned, durable log with consumer groups and committed offsets.

Two adapters implement it with the same semantics, checked by the same contract tests:
`EmbeddedLog` (SQLite, for the single-process mode) and `KafkaBus` (aiokafka).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Message:
    """One message read from a topic partition."""

    topic: str
    partition: int
    offset: int
    key: str
    value: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    key: str
    value: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Consumer(abc.ABC):
    """A member of a consumer group. Offsets are committed only when the caller says so."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Join the group and get partitions; resume from each partition's committed offset
        (or from the beginning of the topic when the group has none)."""

    @abc.abstractmethod
    async def fetch(self, *, max_messages: int = 500, timeout_s: float = 1.0) -> list[Message]:
        """Up to `max_messages` messages past the last fetched position; [] after `timeout_s`."""

    @abc.abstractmethod
    async def commit(self, messages: Sequence[Message]) -> None:
        """Commit, per partition, the offset after the highest of `messages`. Durable on return."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Leave the group without committing anything more."""


class EventBus(abc.ABC):
    """Publish to and consume from topics. Publishing returns only once the write is durable."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ensure_topics(self, topics: Sequence[str], *, partitions: int) -> None:
        """Create the topics, and each one's `<topic>.dlq` dead-letter topic, if they do not
        exist. Idempotent."""

    @abc.abstractmethod
    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        """Append messages; a message's key chooses its partition, so one key stays in order.
        Returns after every message is acknowledged durably (acks=all); raises if any is not."""

    @abc.abstractmethod
    def consumer(self, group_id: str, topics: Sequence[str]) -> Consumer:
        """A new member of `group_id`; members of one group share the topics' partitions."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the bus is not reachable (used by /readyz)."""
