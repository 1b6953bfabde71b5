"""Turns an outcome into its S3 objects and notifications, then resolves the job.

Runs off the worker, so a slot of MaxConcurrentInvocationsPerInstance bounds
container calls only, not the S3/SNS round trips that follow. Writes go first,
so whoever is notified can read the object at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

from reference.jobs import Job, JobState, Outcome
from reference.parts import Parts
from reference.storage import AwsGateway

log = logging.getLogger(__name__)

ATTEMPTS = 4
WRITE_ATTEMPTS = 8  # backoff 0.05 s doubling: about 6 s in all
FIRST_BACKOFF = 0.05


def surely_not_done(exc: Exception) -> bool:
    """True when the request cannot have taken effect, so a retry cannot duplicate it:
    no connection was made. An error answer is not enough: a fan-out may have
    delivered to some subscribers before it failed."""
    return isinstance(exc, EndpointConnectionError | ConnectTimeoutError)


async def _with_retries(
    action: Callable[[], Awaitable[None]],
    what: str,
    *,
    retryable: Callable[[Exception], bool] = lambda _: True,
    attempts: int = ATTEMPTS,
) -> bool:
    delay = FIRST_BACKOFF
    for attempt in range(1, attempts + 1):
        try:
            await action()
            return True
        except Exception as exc:  # the backend's failure must not lose the others
            if attempt == attempts or not retryable(exc):
                log.error("giving up on %s after %d attempts: %s", what, attempt, exc)
                return False
            await asyncio.sleep(delay)
            delay *= 2
    return False


class Finisher:
    def __init__(self, parts: Parts, gateway: AwsGateway, region: str, parallel: int = 16) -> None:
        self._parts = parts
        self._gateway = gateway
        self._region = region
        self._slots = asyncio.Semaphore(parallel)
        self._tasks: set[asyncio.Task[None]] = set()

    def finish(self, job: Job, outcome: Outcome) -> None:
        """Record `outcome` for `job` (once) and complete it in the background."""
        job.state = JobState.DONE
        task = asyncio.create_task(self._complete(job, outcome))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _complete(self, job: Job, outcome: Outcome) -> None:
        written = True
        async with self._slots:
            for write in self._parts.outcome_writer.writes(job, outcome):
                # A PUT to the same key is idempotent: retried longer than a publish.
                written &= await _with_retries(
                    lambda w=write: self._gateway.write(w), f"writing {w_name(write)}",
                    attempts=WRITE_ATTEMPTS,
                )
            for note in self._parts.notifier.notifications(job, outcome, region=self._region):
                await _with_retries(
                    lambda n=note: self._gateway.publish(n),
                    f"publishing to {note.topic_arn}",
                    retryable=surely_not_done,
                )
        job.outcome_written = written
        if not job.done.done():
            job.done.set_result(outcome)

    async def wait(self, timeout: float) -> None:
        """Wait for every outcome in progress to be written and notified."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


def w_name(write: object) -> str:
    return str(getattr(write, "location", write))
