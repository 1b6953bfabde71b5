"""Per-endpoint queues served by a fixed number of workers.

One `EndpointPool` per (endpoint, endpoint config): a FIFO queue and as many
workers as the concurrency part allows, each making one container call at a time.
A request expires by a timer while still queued, so its failure is reported on
time even when every worker is busy, and a worker skips it when it comes up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp

from reference.endpoints import EndpointDescription
from reference.finisher import Finisher
from reference.jobs import FailureKind, Job, JobState, Outcome
from reference.parts import Parts
from reference.storage import AwsGateway, input_uri

# aiohttp would otherwise add these; the container must see only what the
# forwarder chose (plus Host and Content-Length, which HTTP needs).
SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
MODEL_MESSAGE_LIMIT = 1024


@dataclass
class Runtime:
    """What every pool shares."""

    parts: Parts
    gateway: AwsGateway
    session: aiohttp.ClientSession
    finisher: Finisher
    clock_scale: float
    # Real seconds an accepted request waits before a worker may pick it up, as on a
    # real endpoint (internal queue, scale-up): the latency knob (`serve --latency`).
    pickup_delay: float = 0.0


def failed(kind: FailureKind, reason: str, **kw: object) -> Outcome:
    return Outcome(finished_at=datetime.now(UTC), failure=kind, reason=reason, **kw)  # type: ignore[arg-type]


class EndpointPool:
    def __init__(self, endpoint: EndpointDescription, runtime: Runtime) -> None:
        self.endpoint = endpoint
        self._rt = runtime
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue()
        self._timers: dict[Job, asyncio.TimerHandle] = {}
        # Accepted requests still inside their pickup delay, not yet on the queue.
        self._delayed: dict[Job, asyncio.TimerHandle] = {}
        self._pending = 0  # queued or running, not yet handed to the finisher
        self._idle = asyncio.Event()
        self._idle.set()
        self._abort = asyncio.Event()
        self.running = 0
        self.peak_running = 0
        # With a durable queue a stop leaves jobs not yet started where they are: the
        # next process runs them (failing them "shut down" would lose accepted work).
        self.keep_queued = False
        count = runtime.parts.concurrency.workers(
            endpoint.max_concurrent_per_instance, endpoint.instance_count
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(count)]

    @property
    def worker_count(self) -> int:
        return len(self._workers)

    async def enqueue(self, job: Job) -> None:
        self._pending += 1
        self._idle.clear()
        deadline = self._rt.parts.expiry.deadline(
            job.received_monotonic, job.request.ttl_seconds, self._rt.clock_scale
        )
        if deadline is not None:
            loop = asyncio.get_running_loop()
            delay = max(0.0, deadline - time.monotonic())
            self._timers[job] = loop.call_later(delay, self._expire_if_queued, job)
        if self._rt.pickup_delay > 0:
            # The TTL runs from receipt, through the delay: a request can expire in it.
            loop = asyncio.get_running_loop()
            self._delayed[job] = loop.call_later(self._rt.pickup_delay, self._pick_up, job)
        else:
            self._queue.put_nowait(job)

    def _pick_up(self, job: Job) -> None:
        self._delayed.pop(job, None)
        self._queue.put_nowait(job)

    def _expire_if_queued(self, job: Job) -> None:
        self._timers.pop(job, None)
        if job.state is JobState.QUEUED:
            self._settle(job, self._expired(job))

    def _expired(self, job: Job) -> Outcome:
        ttl = job.request.ttl_seconds
        return failed(
            FailureKind.EXPIRED,
            f"RequestExpired: the request was not processed within its RequestTTLSeconds "
            f"({ttl} s) and was never sent to the model.",
        )

    def _settle(self, job: Job, outcome: Outcome) -> None:
        self._rt.finisher.finish(job, outcome)
        self._pending -= 1
        if self._pending == 0:
            self._idle.set()

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            if job is None:
                return
            if job.state is not JobState.QUEUED:
                continue  # expired by its timer while queued
            timer = self._timers.pop(job, None)
            if timer is not None:
                timer.cancel()
            if self._abort.is_set():
                if not self.keep_queued:
                    self._settle(job, self._shutdown_failure())
                continue
            deadline = self._rt.parts.expiry.deadline(
                job.received_monotonic, job.request.ttl_seconds, self._rt.clock_scale
            )
            if deadline is not None and time.monotonic() >= deadline:
                self._settle(job, self._expired(job))
                continue
            job.state = JobState.RUNNING
            self.running += 1
            self.peak_running = max(self.peak_running, self.running)
            try:
                outcome = await self._invoke(job)
            finally:
                self.running -= 1
            self._settle(job, outcome)

    def _shutdown_failure(self) -> Outcome:
        return failed(
            FailureKind.SHUTDOWN,
            "ServiceShutdown: the service stopped before the request could be processed.",
        )

    async def _invoke(self, job: Job) -> Outcome:
        request = job.request
        if request.body is not None:
            payload = request.body
        else:
            location = request.input_location or ""
            try:
                payload = await self._rt.gateway.read(input_uri(location))
            except Exception as exc:
                return failed(
                    FailureKind.INPUT,
                    f"ClientError: Failed to download input data from {location}: {exc}",
                )
        payload = self._rt.parts.payload.container_payload(request, payload)
        timeout = self._rt.parts.invocation_timeout.seconds(
            request.invocation_timeout_seconds, self._rt.clock_scale
        )
        call = asyncio.create_task(self._call(job, payload))
        abort = asyncio.create_task(self._abort.wait())
        done, _ = await asyncio.wait({call, abort}, timeout=timeout, return_when="FIRST_COMPLETED")
        abort.cancel()
        if call in done:
            return call.result()
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await call
        if abort in done:
            return failed(
                FailureKind.SHUTDOWN,
                "ServiceShutdown: the service stopped while the model was processing the request.",
            )
        return failed(
            FailureKind.TIMEOUT,
            f"ClientError: Model did not respond within InvocationTimeoutSeconds "
            f"({request.invocation_timeout_seconds} s).",
        )

    async def _call(self, job: Job, payload: bytes) -> Outcome:
        headers = self._rt.parts.header_forwarder.container_headers(job.request)
        url = f"{job.endpoint.container_url}/invocations"
        try:
            async with self._rt.session.post(
                url, data=payload, headers=headers, skip_auto_headers=SKIP_AUTO_HEADERS
            ) as response:
                body = await response.read()
                content_type = response.headers.get("Content-Type")
                status = response.status
        except (aiohttp.ClientError, OSError) as exc:
            return failed(FailureKind.CONTAINER, f"ServerError: Could not reach the model: {exc}")
        if 200 <= status < 300:
            return Outcome(
                finished_at=datetime.now(UTC),
                body=body,
                content_type=content_type,
                container_status=status,
            )
        side = "server" if status >= 500 else "client"
        text = body[:MODEL_MESSAGE_LIMIT].decode("utf-8", "replace")
        return failed(
            FailureKind.MODEL_ERROR,
            f'ClientError: Received {side} error ({status}) from model with message "{text}".',
            body=body,
            content_type=content_type,
            container_status=status,
        )

    async def close(self, deadline: float) -> None:
        """Finish what is queued until `deadline` (monotonic), then fail the rest."""
        remaining = deadline - time.monotonic()
        if remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), remaining)
        self._abort.set()
        for job, handle in list(self._delayed.items()):
            handle.cancel()
            if job not in self._timers and job.state is JobState.QUEUED:
                self._settle(job, self._shutdown_failure())
        self._delayed.clear()
        for job, timer in list(self._timers.items()):
            timer.cancel()
            if job.state is JobState.QUEUED and not self.keep_queued:
                # Fail now rather than waiting for a worker to come by.
                self._settle(job, self._shutdown_failure())
        self._timers.clear()
        for _ in self._workers:
            self._queue.put_nowait(None)
        await asyncio.gather(*self._workers, return_exceptions=True)
