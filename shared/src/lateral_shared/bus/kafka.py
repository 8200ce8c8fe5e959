"""The Kafka adapter of the EventBus port, on aiokafka.

Producer: acks=all and (where the broker supports it) idempotence; a message's key picks its
partition with Kafka's default (murmur2) partitioner, as every other Kafka client does.
Consumers: group members with auto-commit off, starting from the earliest offset when the group
has committed nothing; offsets are committed explicitly after the handler's work is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, TopicAlreadyExistsError, for_code
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import OffsetAndMetadata

from lateral_shared.contracts.topics import dlq_topic

from .port import Consumer, EventBus, Message, OutgoingMessage

log = logging.getLogger(__name__)
_PARTITIONER = DefaultPartitioner()


class KafkaBus(EventBus):
    """Kafka through aiokafka. The group timings are keywords so tests can shorten them."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        enable_idempotence: bool = True,
        replication_factor: int = 1,
        client_id: str = "lateral",
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        rebalance_timeout_ms: int | None = None,
        assignment_timeout_s: float = 30.0,
    ) -> None:
        self._servers = bootstrap_servers
        self._idempotence = enable_idempotence
        self._replication = replication_factor
        self._client_id = client_id
        self._group_timing = {
            "session_timeout_ms": session_timeout_ms,
            "heartbeat_interval_ms": heartbeat_interval_ms,
            "rebalance_timeout_ms": rebalance_timeout_ms,
        }
        self._assignment_timeout_s = assignment_timeout_s
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def start(self) -> None:
        if self._producer is not None:
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self._servers, client_id=self._client_id)
        await admin.start()
        producer = AIOKafkaProducer(
            bootstrap_servers=self._servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=self._idempotence,
        )
        try:
            await producer.start()
        except BaseException:
            await admin.close()
            raise
        self._admin, self._producer = admin, producer

    async def close(self) -> None:
        producer, admin = self._producer, self._admin
        self._producer, self._admin = None, None
        if producer is not None:
            await producer.stop()
        if admin is not None:
            await admin.close()

    async def ensure_topics(self, topics: Sequence[str], *, partitions: int) -> None:
        names = [name for topic in topics for name in (topic, dlq_topic(topic))]
        new = [NewTopic(name, partitions, self._replication) for name in names]
        response = await self._admin_client().create_topics(new)
        for topic, code, *_ in response.topic_errors:
            error = for_code(code)
            if code and error is not TopicAlreadyExistsError:
                raise error(f"could not create topic {topic}")

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        """Each partition's messages go in record batches built here (`send_batch`): one
        delivery to wait on per batch, not per message. The partition is the one `send()`
        would choose for the key (the default murmur2 partitioner)."""
        producer = self._producer_client()
        partitions = list(await producer.partitions_for(topic))
        by_partition: dict[int, list[OutgoingMessage]] = {}
        for m in messages:
            partition = _PARTITIONER(m.key.encode(), partitions, partitions)
            by_partition.setdefault(partition, []).append(m)
        deliveries: list[asyncio.Future[Any]] = []
        try:
            for partition, mine in by_partition.items():
                await _send_in_batches(producer, topic, partition, mine, deliveries)
        finally:
            # Await every delivery, even after a failure, so none is left unobserved.
            results = await asyncio.gather(*deliveries, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def consumer(self, group_id: str, topics: Sequence[str]) -> Consumer:
        return _KafkaConsumer(self, group_id, tuple(topics))

    async def ping(self) -> None:
        await self._admin_client().describe_cluster()

    async def partition_count(self, topic: str) -> int:
        """The topic's partitions, as the cluster reports them (0 if it reports an error)."""
        (described,) = await self._admin_client().describe_topics([topic])
        return 0 if described["error_code"] else len(described["partitions"])

    def _new_consumer(self, group_id: str) -> AIOKafkaConsumer:
        timing = {k: v for k, v in self._group_timing.items() if v is not None}
        return AIOKafkaConsumer(
            bootstrap_servers=self._servers,
            client_id=self._client_id,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **timing,
        )

    def _producer_client(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the Kafka bus is not started")
        return self._producer

    def _admin_client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            raise RuntimeError("the Kafka bus is not started")
        return self._admin


class _KafkaConsumer(Consumer):
    def __init__(self, bus: KafkaBus, group_id: str, topics: tuple[str, ...]) -> None:
        self._bus, self._group = bus, group_id
        self._consumer = bus._new_consumer(group_id)
        self._assigned = _AssignmentWatch()
        self._consumer.subscribe(list(topics), listener=self._assigned)

    async def start(self) -> None:
        """Join the group, then wait (bounded) for partitions, so the first fetch sees them."""
        await self._consumer.start()
        try:
            async with asyncio.timeout(self._bus._assignment_timeout_s):
                await self._assigned.event.wait()
        except TimeoutError:
            log.info("consumer has no partitions yet", extra={"group": self._group})

    async def fetch(self, *, max_messages: int = 500, timeout_s: float = 1.0) -> list[Message]:
        batches = await self._consumer.getmany(
            timeout_ms=int(timeout_s * 1000), max_records=max_messages
        )
        return [_message(record) for records in batches.values() for record in records]

    async def commit(self, messages: Sequence[Message]) -> None:
        after: dict[TopicPartition, int] = {}
        for m in messages:
            tp = TopicPartition(m.topic, m.partition)
            after[tp] = max(after.get(tp, 0), m.offset + 1)
        # A partition dealt to another member since the fetch is that member's to commit: it
        # re-reads from the last commit, so nothing is lost.
        owned = self._consumer.assignment()
        offsets = {tp: OffsetAndMetadata(o, "") for tp, o in after.items() if tp in owned}
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except CommitFailedError:
            log.warning(
                "commit refused after a rebalance; the new owner will read these events again",
                extra={"group": self._group},
            )

    async def stop(self) -> None:
        await self._consumer.stop()


class _AssignmentWatch(ConsumerRebalanceListener):  # type: ignore[misc]
    """Sets `event` once the group has given this member partitions."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def on_partitions_revoked(self, revoked: object) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        if assigned:
            self.event.set()


async def _send_in_batches(
    producer: AIOKafkaProducer, topic: str, partition: int,
    messages: Sequence[OutgoingMessage], deliveries: list[asyncio.Future[Any]],
) -> None:  # fmt: skip
    """Send `messages` to one partition, in order, in as few record batches as fit."""
    batch, headers = producer.create_batch(), _Headers()
    for m in messages:
        fields = {"key": m.key.encode(), "value": m.value, "timestamp": None,
                  "headers": headers.encoded(m.headers)}  # fmt: skip
        if batch.append(**fields) is not None:
            continue
        if batch.record_count():  # full: send it, and start the next with this message
            deliveries.append(await producer.send_batch(batch, topic, partition=partition))
            batch = producer.create_batch()
            if batch.append(**fields) is not None:
                continue
        # Larger than a batch on its own: the producer sends it as it would any message.
        deliveries.append(await producer.send(topic, partition=partition, **fields))
    if batch.record_count():
        deliveries.append(await producer.send_batch(batch, topic, partition=partition))


class _Headers:
    """Headers as Kafka takes them, encoded once for each mapping (messages often share one)."""

    def __init__(self) -> None:
        self._encoded: dict[int, tuple[Mapping[str, str], list[tuple[str, bytes]]]] = {}

    def encoded(self, headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
        found = self._encoded.get(id(headers))
        if found is None or found[0] is not headers:
            found = (headers, [(name, value.encode()) for name, value in headers.items()])
            self._encoded[id(headers)] = found
        return found[1]


def _message(record: ConsumerRecord[bytes, bytes]) -> Message:
    key = record.key.decode() if record.key is not None else ""
    headers = {name: value.decode() for name, value in record.headers}
    return Message(record.topic, record.partition, record.offset, key, record.value or b"", headers)
