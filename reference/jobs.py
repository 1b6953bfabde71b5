"""One accepted invocation (`Job`) and how it ended (`Outcome`)."""

from __future__ import annotations

import asyncio
import enum
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reference.endpoints import EndpointDescription, S3Uri
from reference.request import AsyncRequest


@dataclass(frozen=True)
class Locations:
    """Where this request's output or failure will be written."""

    output: S3Uri
    failure: S3Uri | None


class FailureKind(enum.Enum):
    MODEL_ERROR = "model_error"  # the container answered with an error status
    TIMEOUT = "timeout"  # the container took longer than InvocationTimeoutSeconds
    EXPIRED = "expired"  # still queued when older than RequestTTLSeconds
    INPUT = "input"  # InputLocation could not be read
    CONTAINER = "container"  # the container could not be reached
    SHUTDOWN = "shutdown"  # the service stopped before the request could finish


@dataclass(frozen=True)
class Outcome:
    """Success: `failure is None`. The container's answer is kept when there was one."""

    finished_at: datetime
    body: bytes | None = None
    content_type: str | None = None
    container_status: int | None = None
    failure: FailureKind | None = None
    reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.failure is None


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


@dataclass(eq=False)
class Job:
    inference_id: str
    request: AsyncRequest
    endpoint: EndpointDescription
    locations: Locations
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    received_monotonic: float = field(default_factory=time.monotonic)
    state: JobState = JobState.QUEUED
    # False when the outcome could not be stored: a durable queue then keeps the job.
    outcome_written: bool = False
    # Resolved once the outcome is written and notified; the dispatcher may await it.
    done: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
