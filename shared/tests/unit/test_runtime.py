"""Every service's operational endpoints: /healthz, /readyz naming what is down, /metrics."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from lateral_shared.runtime import Service, create_app


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionError("refused")


def _client(*services: Service) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://test"
    )


async def test_ready_when_every_engine_answers() -> None:
    async with _client(Service("matcher", readiness={"database": _ok, "bus": _ok})) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"matcher.database": "ok", "matcher.bus": "ok"}


async def test_not_ready_names_the_engine_that_is_down() -> None:
    async with _client(Service("indexer", readiness={"index": _down, "bus": _ok})) as client:
        response = await client.get("/readyz")
        health = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["indexer.index"] == "unavailable (ConnectionError)"
    assert health.status_code == 200  # alive, just not ready


async def test_metrics_count_requests_by_route_template_not_by_path() -> None:
    router = APIRouter()

    @router.get("/v1/persons/{person_id}")
    async def person(person_id: str) -> dict[str, str]:
        return {"person_id": person_id}

    async with _client(Service("search-api", routers=[router])) as client:
        await client.get("/v1/persons/secret-person-42")
        metrics = (await client.get("/metrics")).text
    assert 'route="/v1/persons/{person_id}"' in metrics
    assert "secret-person-42" not in metrics


async def test_a_failing_request_is_counted_as_a_server_error_under_its_route() -> None:
    """Operations see failures on their dashboards, by route, even when a handler raises."""
    router = APIRouter()

    @router.get("/v1/addresses/{address_id}")
    async def address(address_id: str) -> dict[str, str]:
        raise RuntimeError("index went away")

    app = create_app([Service("search-api", routers=[router])])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        failed = await client.get("/v1/addresses/addr-7")
        metrics = (await client.get("/metrics")).text
    assert failed.status_code == 500
    assert (
        'lateral_http_requests_total{method="GET",route="/v1/addresses/{address_id}",'
        'service="search-api",status="500"} 1.0'
    ) in metrics
    assert "addr-7" not in metrics


async def test_background_jobs_run_until_stopped_and_finish_before_exit() -> None:
    """A watcher started with the service gets to finish its work when the process stops."""
    import asyncio
    import os
    import signal

    from lateral_shared.runtime import serve
    from lateral_shared.testing.engines import free_port

    events: list[str] = []

    async def watcher(stopping: asyncio.Event) -> None:
        events.append("started")
        await stopping.wait()
        events.append("finished")

    ready = asyncio.Event()
    task = asyncio.create_task(
        serve([Service("gateway", background=[watcher])], host="127.0.0.1", port=free_port(),
              ready=ready)
    )  # fmt: skip
    await ready.wait()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, timeout=10)
    assert events == ["started", "finished"]
