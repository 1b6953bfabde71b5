"""Hostile targets built as reference mutants: the outcome side broken wholesale."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reference.endpoints import EndpointDescription, S3Uri
from reference.jobs import Job, Locations, Outcome
from reference.parts import DEFAULT_PARTS, Parts, S3Write, UuidLocations
from reference.parts.outcomes import ExactOutcomeWriter
from reference.request import AsyncRequest


@dataclass(frozen=True)
class AnotherBucket(UuidLocations):
    """202 with an OutputLocation in a bucket that is not the endpoint's (nor anyone's)."""

    bucket: str = "conformance-hostile-elsewhere"

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        planned = super().plan(endpoint, request, inference_id)
        return dataclasses.replace(planned, output=S3Uri(self.bucket, planned.output.key))


@dataclass(frozen=True)
class WritesNothing:
    """Accepts, runs the model, notifies, and never writes any outcome to S3."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        return []


@dataclass(frozen=True)
class TruncatesOutputs(ExactOutcomeWriter):
    """Writes every successful output cut to its first 1,000 bytes."""

    limit: int = 1_000

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        return [
            dataclasses.replace(w, body=w.body[: self.limit]) if w.location == job.locations.output
            else w
            for w in super().writes(job, outcome)
        ]


def truncates_outputs() -> Parts:
    return dataclasses.replace(DEFAULT_PARTS, outcome_writer=TruncatesOutputs())


def another_bucket() -> Parts:
    return dataclasses.replace(DEFAULT_PARTS, locations=AnotherBucket())


def writes_nothing() -> Parts:
    return dataclasses.replace(DEFAULT_PARTS, outcome_writer=WritesNothing())
