"""Dispatch part: how an accepted job reaches its endpoint's queue, and whether to wait."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from reference.jobs import Job, Outcome

Enqueue = Callable[[Job], Awaitable[None]]


class Dispatcher(Protocol):
    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        """Queue `job`; return its outcome only if the 202 should wait for it."""
        ...


@dataclass(frozen=True)
class QueueDispatcher:
    """Queue and answer at once: the 202 precedes the inference."""

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        await enqueue(job)
        return None
