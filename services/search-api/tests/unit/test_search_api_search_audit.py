"""Audit group commit: searches arriving while an audit write is in flight share the next one,
and each is answered only once its own event is written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

SearchApi = Any  # the `api` fixture (conftest.py)
SEARCH = {"nhs_number": "9434765919", "reason": "section 47 enquiry"}


async def test_concurrent_searches_share_audit_writes_and_wait_for_them(
    api: SearchApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []
    publish = api.bus.publish

    async def counted(topic: str, messages: Sequence[Any]) -> None:
        writes.append(len(messages))
        await publish(topic, messages)

    monkeypatch.setattr(api.bus, "publish", counted)
    api.bus.release.clear()  # the first write hangs until released
    headers = api.token("practitioner")
    first = asyncio.create_task(api.client.post("/v1/search", json=SEARCH, headers=headers))
    await asyncio.wait_for(api.bus.publishing.wait(), timeout=5)
    others = [
        asyncio.create_task(api.client.post("/v1/search", json=SEARCH, headers=headers))
        for _ in range(4)
    ]
    await asyncio.sleep(0.2)
    assert not first.done() and not any(t.done() for t in others)  # nobody answered unaudited
    api.bus.release.set()
    responses = await asyncio.gather(first, *others)
    assert [r.status_code for r in responses] == [200] * 5
    assert writes == [1, 4]  # the four that waited went in one write
    assert len(api.audit_events()) == 5


async def test_a_failed_write_withholds_every_answer_waiting_on_it(api: SearchApi) -> None:
    api.bus.fail_publish = True
    headers = api.token("practitioner")
    responses = await asyncio.gather(
        *(api.client.post("/v1/search", json=SEARCH, headers=headers) for _ in range(3))
    )
    assert [r.status_code for r in responses] == [503] * 3
    assert all("person-ada" not in r.text for r in responses)
