"""How a service runs: its HTTP routers, its consumers, its readiness checks, start and stop.

Each service's `bootstrap.py` builds a `Service`. `serve()` runs one service (distributed mode)
or all seven in one process (embedded mode) behind one HTTP server, and on SIGTERM/SIGINT lets
every consumer finish and commit its current batch before exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .bus import EventBus, EventConsumer, Subscription
from .collector import freeze_startup_objects
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[None]]
Hook = Callable[[], Awaitable[None]]
# A long-running job (e.g. a drop-folder watcher): runs until the event is set, then returns.
Background = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Service:
    """One deployable: what it serves, what it consumes, and what it needs to be ready."""

    name: str
    routers: list[APIRouter] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    readiness: dict[str, Check] = field(default_factory=dict)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    background: list[Background] = field(default_factory=list)
    bus: EventBus | None = None
    max_attempts: int = 5
    batch_size: int = 500

    def consumers(self) -> list[EventConsumer]:
        if self.subscriptions and self.bus is None:
            raise RuntimeError(f"{self.name} has subscriptions but no bus")
        return [
            EventConsumer(
                self.bus,  # type: ignore[arg-type]
                sub,
                service=self.name,
                max_attempts=self.max_attempts,
                batch_size=self.batch_size,
            )
            for sub in self.subscriptions
        ]


def create_app(services: Sequence[Service], *, title: str = "Lateral") -> FastAPI:
    """One FastAPI app with the services' routers plus /healthz, /readyz and /metrics."""
    app = FastAPI(title=title, docs_url="/docs", redoc_url=None)
    for service in services:
        for router in service.routers:
            app.include_router(router)
    names = ",".join(s.name for s in services)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok", "services": names}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Every engine this process needs is reachable."""
        results = await _run_checks(services)
        ok = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": results},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", tags=["operations"])
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(_Instrumented, service_label=names)
    return app


async def _run_checks(services: Sequence[Service]) -> dict[str, str]:
    results: dict[str, str] = {}
    for service in services:
        for name, check in service.readiness.items():
            try:
                await asyncio.wait_for(check(), timeout=3)
                results[f"{service.name}.{name}"] = "ok"
            except Exception as exc:
                results[f"{service.name}.{name}"] = f"unavailable ({type(exc).__name__})"
    return results


class _Instrumented:
    """Counts and times every HTTP request by route template, and logs it.

    Pure ASGI rather than `BaseHTTPMiddleware`, which adds a task and a memory stream to every
    request: on the search path that overhead showed in the latency benchmark."""

    def __init__(self, app: ASGIApp, service_label: str) -> None:
        self.app = app
        self.service_label = service_label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        method, route = scope["method"], _route_template(scope)
        HTTP_REQUESTS.labels(self.service_label, method, route, str(status)).inc()
        HTTP_LATENCY.labels(self.service_label, method, route).observe(elapsed)
        # The route template, never the path or query: both can hold personal data.
        log.info(
            "request",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )


def _route_template(scope: Scope) -> str:
    """The matched route's template (set by the router), so metrics never carry IDs."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


async def serve(
    services: Sequence[Service], *, host: str, port: int, ready: asyncio.Event | None = None
) -> None:
    """Run `services` until SIGTERM/SIGINT: start hooks, consumers and HTTP; then stop cleanly."""
    for service in services:
        for hook in service.on_start:
            await hook()
    consumers = [c for s in services for c in s.consumers()]
    tasks = [
        asyncio.create_task(c.run(), name=f"consume:{c.subscription.topic}") for c in consumers
    ]
    stopping = asyncio.Event()
    tasks += [asyncio.create_task(job(stopping)) for s in services for job in s.background]
    config = uvicorn.Config(create_app(services), host=host, port=port, log_config=None,
                            access_log=False, lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    server_task = asyncio.create_task(_serve_http(server))
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await _until_listening(server, server_task)
        freeze_startup_objects()
        if ready is not None:
            ready.set()
        log.info("serving", extra={"url": f"http://{host}:{port}"})
        await _until_stopped(stop, server_task, tasks)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        stopping.set()
        await _shut_down(services, consumers, tasks, server, server_task)


async def _until_listening(server: uvicorn.Server, server_task: asyncio.Task[None]) -> None:
    # uvicorn offers a flag, not an event, for "listening".
    while not server.started and not server_task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    if server_task.done():
        await server_task  # raises why HTTP could not start


async def _until_stopped(
    stop: asyncio.Event, server_task: asyncio.Task[None], tasks: list[asyncio.Task[None]]
) -> None:
    """Wait for a stop signal, or for the server or any consumer to end (which is a failure)."""
    stop_task = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait(
            [stop_task, server_task, *tasks], return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stop_task.cancel()
    for task in done - {stop_task}:
        if not task.cancelled() and task.exception() is not None:
            log.error("a service task failed; stopping", exc_info=task.exception())


async def _shut_down(
    services: Sequence[Service],
    consumers: list[EventConsumer],
    tasks: list[asyncio.Task[None]],
    server: uvicorn.Server,
    server_task: asyncio.Task[None],
) -> None:
    """Consumers finish and commit their batch (and background jobs their work) first, then HTTP
    stops, then the engines close."""
    for consumer in consumers:
        consumer.stop()
    await asyncio.gather(*tasks, return_exceptions=True)
    server.should_exit = True
    with contextlib.suppress(Exception):
        await server_task
    for service in reversed(services):
        for hook in service.on_stop:
            try:
                await hook()
            except Exception:
                log.warning("a stop hook failed", extra={"service": service.name}, exc_info=True)


async def _serve_http(server: uvicorn.Server) -> None:
    """Serve HTTP without uvicorn's own signal handling: ours stops the consumers first."""
    await server._serve()
    if not server.started:
        raise RuntimeError(
            f"HTTP server could not start on {server.config.host}:{server.config.port}"
        )
