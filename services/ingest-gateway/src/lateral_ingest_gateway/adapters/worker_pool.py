"""Worker processes for the CPU-bound part of ingesting CSV files (parsing, validating, encoding),
so a big file uses more than the one core the event loop runs on.

The pool starts at first use and its size is a setting (0: a thread of this process instead).
Workers come from a fork server (a clean process, never a fork of this multi-threaded one) and
ignore Ctrl-C: the gateway stops them itself, on its way out. A pool whose worker died is
replaced at the next batch; the batch that was using it fails and can be sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
PRELOAD = "lateral_ingest_gateway.service_layer.preparing"
log = logging.getLogger(__name__)


class PreparationPool:
    """Runs functions of picklable arguments in `workers` processes (or a thread when 0)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: Executor | None = None

    def submit(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """Start `fn(*args)` now; the future is its result."""
        call = functools.partial(fn, *args)
        try:
            work = self._pool().submit(call)
        except BrokenProcessPool:
            log.warning("a preparation worker had died; starting the pool again")
            self._executor = None
            work = self._pool().submit(call)
        return _awaitable(work)

    async def warm_up(self, stopping: asyncio.Event) -> None:
        """Start the workers now, so the first file does not wait for them to load the code;
        then wait for the service to stop (a background job runs as long as its service)."""
        with contextlib.suppress(Exception):  # the first batch will tell, in its own words
            await self.ping()
        await stopping.wait()

    async def ping(self) -> None:
        """Raise unless a worker takes work (used by /readyz: ready means at full speed)."""
        await self.submit(os.getpid)

    async def close(self) -> None:
        """Stop the workers (work already given them is finished first)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    def _pool(self) -> Executor:
        if self._executor is None and self.workers == 0:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="ingest-preparation")
        if self._executor is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            if "forkserver" in methods:
                context.set_forkserver_preload([PRELOAD])
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker
            )
        return self._executor


def _awaitable(work: Future[T]) -> asyncio.Future[T]:
    """An asyncio future with the result of `work`. Unlike `asyncio.wrap_future`, the two do not
    refer to each other, so a chunk's rows are freed as soon as the batch is done with them, not
    at the next full garbage collection (memory would grow with the file meanwhile)."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[T] = loop.create_future()

    def done(finished: Future[T]) -> None:
        loop.call_soon_threadsafe(_settle, result, finished)

    work.add_done_callback(done)
    return result


def _settle(result: asyncio.Future[T], finished: Future[T]) -> None:
    if result.done():  # the batch gave up waiting for it
        return
    if finished.cancelled():
        result.cancel()
    elif (error := finished.exception()) is not None:
        result.set_exception(error)
    else:
        result.set_result(finished.result())


def _start_worker() -> None:
    # The gateway stops its workers itself; a Ctrl-C meant for it must not kill them first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    __import__(PRELOAD)
    # What the worker has loaded lives as long as it does: keep the collector off it.
    gc.freeze()
