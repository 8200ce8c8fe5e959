"""A batch left "processing" by a gateway that stopped part-way is marked failed, with a reason
that says to send it again, once it has made no progress for a while; a batch still making
progress is left alone."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from lateral_ingest_gateway.adapters import batch_store
from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.domain.model import Batch, BatchCounts, BatchStatus, WayIn
from lateral_ingest_gateway.service_layer.stalled import StalledBatches
from lateral_shared.db import session_factory

Gateway = Any  # the `gateway` fixture of conftest.py


async def test_a_batch_left_part_way_is_marked_failed_once_it_stalls(gateway: Gateway) -> None:
    engine = await open_database(gateway.database_url)
    sessions = session_factory(engine)
    left, running = (Batch(uuid.uuid4(), "trust-ed", "trust", WayIn.UPLOAD, datetime.now(UTC),
                           BatchStatus.PROCESSING) for _ in range(2))  # fmt: skip
    async with sessions() as session:
        await batch_store.create_batch(session, batch=left)
        await batch_store.create_batch(session, batch=running)
        await session.commit()
    await asyncio.sleep(1.5)
    async with sessions() as session:  # the running one records a chunk
        counts = BatchCounts(received=5, accepted=5)
        await batch_store.add_batch_counts(session, batch_id=running.batch_id, counts=counts)
        await session.commit()

    assert await StalledBatches(sessions, stall_s=1.0).look() == 1
    assert await StalledBatches(sessions, stall_s=1.0).look() == 0  # once only
    await engine.dispose()

    stalled = (await gateway.client.get(f"/v1/batches/{left.batch_id}",
                                        headers=gateway.health)).json()  # fmt: skip
    still = (await gateway.client.get(f"/v1/batches/{running.batch_id}",
                                      headers=gateway.health)).json()  # fmt: skip
    assert stalled["status"] == "failed" and stalled["finished_at"] is not None
    assert "Send the whole batch again" in stalled["file_error"]
    assert (still["status"], still["file_error"]) == ("processing", None)
