"""A durable queue of accepted jobs: SQS, as SageMaker keeps its own internal queue.

With it, the 202 is answered only once the job is a message in SQS, and the message
is deleted only once the job's outcome is written and notified. A crash of the
service process (SIGKILL) therefore loses nothing: every job it held comes back to
the next process after its visibility timeout. Delivery is at least once: a job
that was running, or finished but not yet deleted, at the crash runs again and
writes its outcome again, to the same location (planned before queueing and
carried in the message), so it still ends with one outcome object. Its
notification may repeat; the load profile counts both.

Why SQS: it is what the embedded stack already runs (moto's SQS, the same API as
AWS), it has the semantics a durable job queue needs (visibility timeout,
redelivery, delete on success) and it lives outside the service process, so
killing the service kills no state. A file or sqlite queue would have to
re-implement leases and redelivery.

While the service holds a message (queued in memory or running) a heartbeat keeps
it invisible, so a slow queue never redelivers to the same live process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

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


@dataclass(eq=False)
class Lease:
    """One received message the service holds until its job's outcome is written."""

    receipt: str
    queue: DurableQueue

    def release(self) -> None:
        """The outcome is written and notified: delete the message."""
        self.queue._done(self)

    def abandon(self) -> None:
        """The outcome could not be stored: stop holding it, so SQS delivers it again."""
        self.queue._abandon(self)


class DurableQueue:
    def __init__(
        self,
        sqs: Any,  # a boto3 "sqs" client
        queue_url: str,
        executor: Executor,
        *,
        visibility: float = 30.0,
        prefetch: int = 64,
    ) -> None:
        self._sqs = sqs
        self._url = queue_url
        self._executor = executor
        self._visibility = max(2, int(visibility))
        self._prefetch = prefetch
        self._held: set[Lease] = set()
        self._to_delete: list[str] = []
        self._room = asyncio.Event()
        self._room.set()
        self._tasks: list[asyncio.Task[None]] = []
        self.delivered = 0

    async def _call(self, name: str, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        method = getattr(self._sqs, name)
        return await loop.run_in_executor(self._executor, lambda: method(**kwargs))

    async def send(self, job: Job) -> None:
        """Queue ``job`` durably; returns once SQS has it (raises if it could not)."""
        await self._call("send_message", QueueUrl=self._url, MessageBody=job_message(job))

    def start(self, deliver: Deliver) -> None:
        self._tasks = [
            asyncio.create_task(self._consume(deliver)),
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._deleter()),
        ]

    async def stop(self) -> None:
        """Stop receiving; delete what is done. Messages still held come back later."""
        consume, *rest = self._tasks
        consume.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consume
        await self._flush()
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    async def _consume(self, deliver: Deliver) -> None:
        while True:
            await self._room.wait()
            wanted = min(SQS_BATCH, self._prefetch - len(self._held))
            if wanted <= 0:
                self._room.clear()
                continue
            try:
                answer = await self._call(
                    "receive_message", QueueUrl=self._url, MaxNumberOfMessages=wanted,
                    WaitTimeSeconds=1, VisibilityTimeout=self._visibility,
                )
            except Exception as exc:  # SQS away for a moment: the messages wait there
                log.warning("durable queue: receive failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for message in answer.get("Messages", []):
                lease = Lease(message["ReceiptHandle"], self)
                try:
                    data = json.loads(message["Body"])
                except ValueError:
                    log.error("durable queue: dropping an unreadable message")
                    self._to_delete.append(lease.receipt)
                    continue
                self._held.add(lease)
                if len(self._held) >= self._prefetch:
                    self._room.clear()
                if await deliver(data, lease):
                    self.delivered += 1
                else:  # not runnable now (control plane away): SQS redelivers it later
                    self._held.discard(lease)
                    self._room.set()

    def _done(self, lease: Lease) -> None:
        if lease in self._held:
            self._held.discard(lease)
            self._to_delete.append(lease.receipt)
            self._room.set()

    def _abandon(self, lease: Lease) -> None:
        if lease in self._held:
            self._held.discard(lease)
            self._room.set()

    async def _deleter(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            await self._flush()

    async def _flush(self) -> None:
        while self._to_delete:
            batch, self._to_delete = self._to_delete[:SQS_BATCH], self._to_delete[SQS_BATCH:]
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(batch)]
            try:
                await self._call("delete_message_batch", QueueUrl=self._url, Entries=entries)
            except Exception as exc:  # redelivered later: at least once, never lost
                log.warning("durable queue: delete failed (will run again): %s", exc)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._visibility / 3)
            held = [lease.receipt for lease in self._held]
            for start in range(0, len(held), SQS_BATCH):
                entries = [
                    {"Id": str(i), "ReceiptHandle": r, "VisibilityTimeout": self._visibility}
                    for i, r in enumerate(held[start : start + SQS_BATCH])
                ]
                try:
                    await self._call(
                        "change_message_visibility_batch", QueueUrl=self._url, Entries=entries
                    )
                except Exception as exc:
                    log.warning("durable queue: heartbeat failed: %s", exc)
