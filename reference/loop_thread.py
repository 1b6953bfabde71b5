"""Run an aiohttp application on its own event loop in a background thread.

The probe and the reference service are asyncio servers, but the embedded stack,
the CLI and the tests drive them from synchronous code. One helper owns the
thread, the loop and the bound port so neither server repeats that plumbing.
Stdlib + aiohttp only: the probe's container image copies this file.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class LoopThread:
    """A daemon thread running one event loop until `close()`."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        # Let cancelled callbacks and async generators finish before closing.
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        """Run `coro` on the loop and wait for its result from the calling thread."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)


async def start_site(
    app: web.Application, host: str, port: int, **runner_kw: Any
) -> tuple[web.AppRunner, web.TCPSite, int]:
    """Start `app` on host:port (0 = any free port) and return the bound port."""
    runner = web.AppRunner(app, access_log=None, **runner_kw)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True, backlog=1024)
    await site.start()
    bound = runner.addresses[0][1]
    return runner, site, int(bound)


class ThreadedApp:
    """`start() -> port` / `stop()` for an aiohttp app built by `factory` on a private loop."""

    def __init__(
        self,
        factory: Callable[[], Awaitable[web.Application]] | Callable[[], web.Application],
        *,
        host: str,
        port: int,
        name: str,
    ) -> None:
        self._factory = factory
        self._host = host
        self._port = port
        self._name = name
        self._thread: LoopThread | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def start(self) -> int:
        if self._thread is not None:
            raise RuntimeError(f"{self._name} already started")
        self._thread = LoopThread(self._name)
        try:
            self._runner, _, self.port = self._thread.call(self._astart())
        except BaseException:
            self._thread.close()
            self._thread = None
            raise
        return self.port

    async def _astart(self) -> tuple[web.AppRunner, web.TCPSite, int]:
        app = self._factory()
        if asyncio.iscoroutine(app):
            app = await app
        return await start_site(app, self._host, self._port)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._runner is not None:
            self._thread.call(self._runner.cleanup())
        self._thread.close()
        self._thread = None
        self._runner = None
