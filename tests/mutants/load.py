"""Dispatch mutants only a burst notices: one accepted job in N lost, or run twice."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

from reference.jobs import Job, JobState, Outcome
from reference.parts.dispatch import Enqueue


@dataclass
class DropsOneIn:
    """Answers 202 for every job but never queues every ``every``-th one."""

    every: int = 1000
    _seen: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        if next(self._seen) % self.every:
            await enqueue(job)
        return None


@dataclass
class RunsOneInTwice:
    """Queues a second copy of every ``every``-th job: the probe runs it twice (the
    copy writes the same outcome location again, so only the probe sees it)."""

    every: int = 1000
    _seen: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        await enqueue(job)
        if next(self._seen) % self.every == 0:
            await enqueue(dataclasses.replace(job, state=JobState.QUEUED))
        return None
