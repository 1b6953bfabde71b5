"""Outcome part: which S3 objects an outcome becomes (exactly one per request)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reference.endpoints import S3Uri
from reference.jobs import Job, Outcome


@dataclass(frozen=True)
class S3Write:
    location: S3Uri
    body: bytes
    content_type: str


class OutcomeWriter(Protocol):
    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]: ...


@dataclass(frozen=True)
class ExactOutcomeWriter:
    """Success: the container's bytes and Content-Type at OutputLocation.

    Failure: at FailureLocation, the model's own error body when it answered with
    one (what real `-error.out` objects hold), else the failure reason; with no
    S3FailurePath configured the failure is only notified.
    """

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        if outcome.succeeded:
            return [
                S3Write(
                    job.locations.output,
                    outcome.body or b"",
                    outcome.content_type or "application/octet-stream",
                )
            ]
        if job.locations.failure is None:
            return []
        if outcome.body:
            body, content_type = outcome.body, outcome.content_type or "application/octet-stream"
        else:
            body, content_type = (outcome.reason or "failed").encode(), "text/plain"
        return [S3Write(job.locations.failure, body, content_type)]
