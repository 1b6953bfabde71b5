"""Mutants of where outcomes go and what is written there."""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass

from mutants.mutant import Mutant
from reference.endpoints import EndpointDescription, S3Uri
from reference.jobs import FailureKind, Job, Locations, Outcome
from reference.parts import ExactOutcomeWriter, S3Write, UuidLocations
from reference.request import AsyncRequest


@dataclass(frozen=True)
class OutputOutsideThePath(UuidLocations):
    """IEA-OUT-001: outputs land in the right bucket, but beside S3OutputPath."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        planned = super().plan(endpoint, request, inference_id)
        misplaced = S3Uri(planned.output.bucket, "misplaced-output/" + planned.output.key)
        return dataclasses.replace(planned, output=misplaced)


@dataclass(frozen=True)
class OneOutputLocation(UuidLocations):
    """IEA-OUT-002: every request is told (and written to) the same OutputLocation."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        planned = super().plan(endpoint, request, inference_id)
        return dataclasses.replace(planned, output=endpoint.output_path.join("result.out"))


@dataclass(frozen=True)
class FailureUnderTheOutputPath(UuidLocations):
    """IEA-FAIL-003: failures are planned under S3OutputPath, not S3FailurePath."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        planned = super().plan(endpoint, request, inference_id)
        failure = endpoint.output_path.join(planned.output.key.rsplit("/", 1)[-1] + "-error.out")
        return dataclasses.replace(planned, failure=failure)


@dataclass(frozen=True)
class IgnoresExtension(UuidLocations):
    """IEA-PATH-001: S3OutputPathExtension is accepted and ignored."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        plain = dataclasses.replace(request, output_path_extension=None)
        return super().plan(endpoint, plain, inference_id)


@dataclass(frozen=True)
class IgnoresFilename(UuidLocations):
    """IEA-PATH-002: Filename is accepted and ignored (a <uuid>.out name instead)."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        return super().plan(endpoint, dataclasses.replace(request, filename=None), inference_id)


@dataclass(frozen=True)
class WritesBoth(ExactOutcomeWriter):
    """IEA-OUT-003: a success writes its output and a failure object too."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        writes = super().writes(job, outcome)
        if outcome.succeeded and job.locations.failure is not None:
            writes.append(S3Write(job.locations.failure, b"no error", "text/plain"))
        return writes


@dataclass(frozen=True)
class WritesNeither(ExactOutcomeWriter):
    """IEA-OUT-003: a success is notified but nothing is written to S3."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        return [] if outcome.succeeded else super().writes(job, outcome)


@dataclass(frozen=True)
class JsonWrappedOutput(ExactOutcomeWriter):
    """IEA-OUT-004: the output is re-encoded: the model's bytes wrapped in a JSON envelope."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        writes = super().writes(job, outcome)
        if not outcome.succeeded:
            return writes
        wrapped = json.dumps({"body": base64.b64encode(outcome.body or b"").decode("ascii")})
        return [dataclasses.replace(w, body=wrapped.encode()) for w in writes]


@dataclass(frozen=True)
class WritesBesideTheAnnouncedLocation(ExactOutcomeWriter):
    """IEA-OUT-005: the output is written under S3OutputPath, but not where announced."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        writes = super().writes(job, outcome)
        if not outcome.succeeded:
            return writes
        moved = S3Uri(job.locations.output.bucket, job.locations.output.key + ".part")
        return [dataclasses.replace(w, location=moved) for w in writes]


@dataclass(frozen=True)
class NoFailureObject(ExactOutcomeWriter):
    """IEA-FAIL-001: a failure is only notified; nothing lands at FailureLocation."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        return super().writes(job, outcome) if outcome.succeeded else []


@dataclass(frozen=True)
class FailureAlsoWritesOutput(ExactOutcomeWriter):
    """IEA-FAIL-002: the model's error body is also stored at OutputLocation."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        writes = super().writes(job, outcome)
        if not outcome.succeeded:
            body = outcome.body or (outcome.reason or "failed").encode()
            writes.append(S3Write(job.locations.output, body, "text/plain"))
        return writes


@dataclass(frozen=True)
class ExpiredWrittenAsOutput(ExactOutcomeWriter):
    """IEA-TTL-002: an expired request gets an (empty) output object, as if it had run."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        if outcome.failure is FailureKind.EXPIRED:
            return [S3Write(job.locations.output, b"", "application/octet-stream")]
        return super().writes(job, outcome)


MUTANTS: tuple[Mutant, ...] = (
    Mutant("output-outside-the-path", "IEA-OUT-001", lambda: {"locations": OutputOutsideThePath()}),
    Mutant("one-output-location", "IEA-OUT-002", lambda: {"locations": OneOutputLocation()}),
    Mutant("writes-both", "IEA-OUT-003", lambda: {"outcome_writer": WritesBoth()}),
    Mutant("writes-neither", "IEA-OUT-003", lambda: {"outcome_writer": WritesNeither()}),
    Mutant("json-wrapped-output", "IEA-OUT-004", lambda: {"outcome_writer": JsonWrappedOutput()}),
    Mutant("writes-beside-the-announced-location", "IEA-OUT-005",
           lambda: {"outcome_writer": WritesBesideTheAnnouncedLocation()}),
    Mutant("no-failure-object", "IEA-FAIL-001", lambda: {"outcome_writer": NoFailureObject()}),
    Mutant("failure-also-writes-output", "IEA-FAIL-002",
           lambda: {"outcome_writer": FailureAlsoWritesOutput()}),
    Mutant("failure-under-the-output-path", "IEA-FAIL-003",
           lambda: {"locations": FailureUnderTheOutputPath()}),
    Mutant("ignores-extension", "IEA-PATH-001", lambda: {"locations": IgnoresExtension()}),
    Mutant("ignores-filename", "IEA-PATH-002", lambda: {"locations": IgnoresFilename()}),
    Mutant("expired-written-as-output", "IEA-TTL-002",
           lambda: {"outcome_writer": ExpiredWrittenAsOutput()}),
)
