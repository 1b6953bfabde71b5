"""A durable queue of accepted jobs: SQS, as SageMaker keeps its own internal queue.

With it, the 202 is answered only once the job is a message in SQS, and the message
is deleted only once the job's outcome is written and notified. A crash of the
service process (SIGKILL) therefore loses nothing: every job it held comes back to
the next process after its visibility timeout. Delivery is at least once: a job
that was running, or finished but not yet deleted, at the crash runs again and
writes its outcome again, to the same location (planned before queueing and
carried in the message), so it still ends with one outcome object. Its
notification may repeat; the load profile counts both.

Two stores, one protocol (put, take with a lease, extend, delete):

- ``sqs``: an SQS queue (visibility timeout = the lease). What SageMaker itself
  would use, and what a deployment of the reference on AWS should use.
- ``sqlite``: a table in a SQLite file (WAL), leases as a column. The embedded stack
  uses it: moto's SQS scans every message on each receive (measured: 0.3 s per
  receive with 100 messages queued, 6 s with 2,000), so a backlog of thousands
  could never drain. SQLite is in the standard library, durable across a crash of
  the process (WAL commits), and takes a lease with one indexed UPDATE.

Both live outside the service process, so killing it kills no state.

While the service holds a message (queued in memory or running) a heartbeat keeps
it invisible, so a slow queue never redelivers to the same live process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Protocol

from reference.endpoints import EndpointDescription, S3Uri
from reference.jobs import Job, Locations
from reference.request import AsyncRequest

log = logging.getLogger(__name__)

MESSAGE_VERSION = 1
SQS_BATCH = 10  # the most SQS takes in one receive, delete or visibility change


def job_message(job: Job) -> str:
    """Everything needed to run ``job`` again in another process, as an SQS message body."""
    request = job.request
    return json.dumps({
        "v": MESSAGE_VERSION,
        "inference_id": job.inference_id,
        "received_at": job.received_at.timestamp(),
        "output": str(job.locations.output),
        "failure": str(job.locations.failure) if job.locations.failure else None,
        "request": {
            "endpoint_name": request.endpoint_name,
            "content_type": request.content_type,
            "accept": request.accept,
            "custom_attributes": request.custom_attributes,
            "inference_id": request.inference_id,
            "input_location": request.input_location,
            "output_path_extension": request.output_path_extension,
            "filename": request.filename,
            "ttl_seconds": request.ttl_seconds,
            "invocation_timeout_seconds": request.invocation_timeout_seconds,
            "body": None if request.body is None else base64.b64encode(request.body).decode(),
            "client_headers": dict(request.client_headers),
        },
    })


def endpoint_of(message: Mapping[str, Any]) -> str:
    return str(message["request"]["endpoint_name"])


def job_from_message(message: Mapping[str, Any], endpoint: EndpointDescription) -> Job:
    """The job a message holds; its TTL keeps counting from when it was first received."""
    data = dict(message["request"])
    body = data.pop("body")
    data["body"] = None if body is None else base64.b64decode(body)
    data["client_headers"] = MappingProxyType(dict(data["client_headers"]))
    request = AsyncRequest(**data)
    received = float(message["received_at"])
    # Monotonic time does not survive a restart; wall-clock age does.
    age = max(0.0, time.time() - received)
    return Job(
        inference_id=str(message["inference_id"]),
        request=request,
        endpoint=endpoint,
        locations=Locations(
            output=S3Uri.parse(message["output"]),
            failure=S3Uri.parse(message["failure"]) if message.get("failure") else None,
        ),
        received_at=datetime.fromtimestamp(received, UTC),
        received_monotonic=time.monotonic() - age,
    )


Deliver = Callable[[Mapping[str, Any], "Lease"], Awaitable[bool]]


class JobStore(Protocol):
    """Blocking calls, run on one thread of the queue's own."""

    def put(self, body: str) -> None: ...
    def take(self, count: int, lease_s: float) -> list[tuple[str, str]]: ...  # (handle, body)
    def extend(self, handles: list[str], lease_s: float) -> None: ...
    def delete(self, handles: list[str]) -> None: ...
    def retry_later(self, handle: str, after_s: float) -> None: ...


class SqsStore:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs, self._url = sqs, queue_url

    def put(self, body: str) -> None:
        self._sqs.send_message(QueueUrl=self._url, MessageBody=body)

    def take(self, count: int, lease_s: float) -> list[tuple[str, str]]:
        answer = self._sqs.receive_message(
            QueueUrl=self._url, MaxNumberOfMessages=min(count, SQS_BATCH), WaitTimeSeconds=1,
            VisibilityTimeout=int(lease_s),
        )
        return [(m["ReceiptHandle"], m["Body"]) for m in answer.get("Messages", [])]

    def extend(self, handles: list[str], lease_s: float) -> None:
        for start in range(0, len(handles), SQS_BATCH):
            self._sqs.change_message_visibility_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": int(lease_s)}
                for i, h in enumerate(handles[start : start + SQS_BATCH])])

    def delete(self, handles: list[str]) -> None:
        for start in range(0, len(handles), SQS_BATCH):
            self._sqs.delete_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": h}
                for i, h in enumerate(handles[start : start + SQS_BATCH])])

    def retry_later(self, handle: str, after_s: float) -> None:
        self._sqs.change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=handle, VisibilityTimeout=int(after_s))


class SqliteStore:
    """Jobs as rows; a lease is ``leased_until`` (epoch seconds), taken atomically."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process crash
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "body TEXT NOT NULL, leased_until REAL NOT NULL DEFAULT 0)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS jobs_lease ON jobs (leased_until, id)")

    def put(self, body: str) -> None:
        self._db.execute("INSERT INTO jobs (body) VALUES (?)", (body,))

    def take(self, count: int, lease_s: float) -> list[tuple[str, str]]:
        now = time.time()
        rows = self._db.execute(
            "UPDATE jobs SET leased_until = ? WHERE id IN (SELECT id FROM jobs WHERE "
            "leased_until < ? ORDER BY id LIMIT ?) RETURNING id, body",
            (now + lease_s, now, count),
        ).fetchall()
        if not rows:
            time.sleep(0.05)  # nothing due: do not spin
        return [(str(i), body) for i, body in sorted(rows)]

    def extend(self, handles: list[str], lease_s: float) -> None:
        until = time.time() + lease_s
        self._db.executemany("UPDATE jobs SET leased_until = ? WHERE id = ?",
                             [(until, int(h)) for h in handles])

    def delete(self, handles: list[str]) -> None:
        self._db.executemany("DELETE FROM jobs WHERE id = ?", [(int(h),) for h in handles])

    def retry_later(self, handle: str, after_s: float) -> None:
        self._db.execute("UPDATE jobs SET leased_until = ? WHERE id = ?",
                         (time.time() + after_s, int(handle)))


def open_store(url: str, sqs_client: Callable[[], Any]) -> JobStore:
    """``sqlite:///path/to/file`` or an SQS queue URL."""
    if url.startswith("sqlite://"):
        return SqliteStore(url[len("sqlite://"):])
    return SqsStore(sqs_client(), url)


@dataclass(eq=False)
class Lease:
    """One job the service holds until its outcome is written."""

    handle: str
    inference_id: str
    queue: DurableQueue

    def release(self) -> None:
        """The outcome is written and notified: delete the job."""
        self.queue._done(self)

    def abandon(self) -> None:
        """The outcome could not be stored: let go, so the job is delivered again."""
        self.queue._abandon(self)


RETRY_AFTER_S = 2.0


class DurableQueue:
    def __init__(
        self, store: JobStore, *, visibility: float = 30.0, prefetch: int = 64
    ) -> None:
        self._store = store
        # One thread: a SQLite connection is used by one thread at a time, and the
        # store's calls are short.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="durable-queue")
        self._visibility = max(2.0, float(visibility))
        self._prefetch = prefetch
        self._held: dict[str, Lease] = {}  # inference id -> its lease
        self._to_delete: list[str] = []
        self._room = asyncio.Event()
        self._room.set()
        self._tasks: list[asyncio.Task[None]] = []
        self.delivered = 0

    async def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    async def send(self, job: Job) -> None:
        """Queue ``job`` durably; returns once the store has it (raises if it could not)."""
        await self._call(self._store.put, job_message(job))

    def start(self, deliver: Deliver) -> None:
        self._tasks = [
            asyncio.create_task(self._consume(deliver)),
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._deleter()),
        ]

    async def stop(self) -> None:
        """Stop taking jobs; delete what is done. Jobs still held come back later."""
        consume, *rest = self._tasks
        consume.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consume
        await self._flush()
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def _consume(self, deliver: Deliver) -> None:
        while True:
            await self._room.wait()
            wanted = min(SQS_BATCH, self._prefetch - len(self._held))
            if wanted <= 0:
                self._room.clear()
                continue
            try:
                taken = await self._call(self._store.take, wanted, self._visibility)
            except Exception as exc:  # the store away for a moment: the jobs wait there
                log.warning("durable queue: take failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for handle, body in taken:
                try:
                    data = json.loads(body)
                    inference_id = str(data["inference_id"])
                except (ValueError, KeyError, TypeError):
                    log.error("durable queue: dropping an unreadable job")
                    self._to_delete.append(handle)
                    continue
                held = self._held.get(inference_id)
                if held is not None:
                    # Delivered again while this process still holds it (a lease ran
                    # out under load): keep running it once, under the newer lease.
                    self._to_delete.append(held.handle)
                    held.handle = handle
                    continue
                lease = Lease(handle, inference_id, self)
                self._held[inference_id] = lease
                if len(self._held) >= self._prefetch:
                    self._room.clear()
                if await deliver(data, lease):
                    self.delivered += 1
                else:  # not runnable now (control plane away): delivered again later
                    self._held.pop(inference_id, None)
                    self._room.set()
                    with contextlib.suppress(Exception):
                        await self._call(self._store.retry_later, handle, RETRY_AFTER_S)

    def _done(self, lease: Lease) -> None:
        if self._held.get(lease.inference_id) is lease:
            del self._held[lease.inference_id]
            self._to_delete.append(lease.handle)
            self._room.set()

    def _abandon(self, lease: Lease) -> None:
        if self._held.get(lease.inference_id) is lease:
            del self._held[lease.inference_id]
            self._room.set()

    async def _deleter(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            await self._flush()

    async def _flush(self) -> None:
        if not self._to_delete:
            return
        batch, self._to_delete = self._to_delete, []
        try:
            await self._call(self._store.delete, batch)
        except Exception as exc:  # delivered again later: at least once, never lost
            log.warning("durable queue: delete failed (will run again): %s", exc)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._visibility / 3)
            handles = [lease.handle for lease in self._held.values()]
            if not handles:
                continue
            try:
                await self._call(self._store.extend, handles, self._visibility)
            except Exception as exc:
                log.warning("durable queue: heartbeat failed: %s", exc)
