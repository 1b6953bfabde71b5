"""Mutants of SNS notifications: dropped, duplicated, misrouted, malformed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from mutants.mutant import Mutant
from reference.jobs import Job, Outcome
from reference.parts import Notification, SageMakerNotifier


@dataclass(frozen=True)
class DuplicatesSuccess(SageMakerNotifier):
    """IEA-NOTIF-001: a success is published twice (an at-least-once retry)."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        notes = super().notifications(job, outcome, region=region)
        return notes * 2 if outcome.succeeded else notes


@dataclass(frozen=True)
class DropsSuccess(SageMakerNotifier):
    """IEA-NOTIF-001: a success is never published."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        return [] if outcome.succeeded else super().notifications(job, outcome, region=region)


@dataclass(frozen=True)
class ErrorsToSuccessTopic(SageMakerNotifier):
    """IEA-NOTIF-002: failures are published to the SuccessTopic."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        notes = super().notifications(job, outcome, region=region)
        topic = job.endpoint.success_topic
        if outcome.succeeded or topic is None:
            return notes
        return [dataclasses.replace(n, topic_arn=topic) for n in notes]


@dataclass(frozen=True)
class NoEventSource(SageMakerNotifier):
    """IEA-NOTIF-003: success messages lack eventSource."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        notes = super().notifications(job, outcome, region=region)
        for note in notes:
            note.message.pop("eventSource", None)
        return notes


@dataclass(frozen=True)
class NoFailureReason(SageMakerNotifier):
    """IEA-NOTIF-004: error messages carry no failureReason."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        notes = super().notifications(job, outcome, region=region)
        for note in notes:
            note.message.pop("failureReason", None)
        return notes


@dataclass(frozen=True)
class HttpsOutputLocation(SageMakerNotifier):
    """IEA-NOTIF-005: outputLocation is given as an https URL, not the announced s3:// URI."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        notes = super().notifications(job, outcome, region=region)
        output = job.locations.output
        url = f"https://{output.bucket}.s3.{region}.amazonaws.com/{output.key}"
        for note in notes:
            note.message["responseParameters"]["outputLocation"] = url
        return notes


@dataclass(frozen=True)
class PlainResponseBody(SageMakerNotifier):
    """IEA-NOTIF-006: responseBody.content holds the output as text, not base64."""

    def response_body(self, body: bytes) -> dict[str, str] | None:
        included = super().response_body(body)
        if included is not None:
            included["content"] = body.decode("utf-8", "replace")
            included["encoding"] = "UTF-8"
        return included


MUTANTS: tuple[Mutant, ...] = (
    Mutant("duplicates-success", "IEA-NOTIF-001", lambda: {"notifier": DuplicatesSuccess()}),
    Mutant("drops-success", "IEA-NOTIF-001", lambda: {"notifier": DropsSuccess()}),
    Mutant("errors-to-success-topic", "IEA-NOTIF-002",
           lambda: {"notifier": ErrorsToSuccessTopic()}),
    Mutant("no-event-source", "IEA-NOTIF-003", lambda: {"notifier": NoEventSource()}),
    Mutant("no-failure-reason", "IEA-NOTIF-004", lambda: {"notifier": NoFailureReason()}),
    Mutant("https-output-location", "IEA-NOTIF-005", lambda: {"notifier": HttpsOutputLocation()}),
    Mutant("plain-response-body", "IEA-NOTIF-006", lambda: {"notifier": PlainResponseBody()}),
)
