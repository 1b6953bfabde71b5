"""Mutants of the answer itself: status, body, headers, error shape, synchrony."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from mutants.mutant import Mutant
from reference.errors import ServiceError
from reference.jobs import Job, Outcome
from reference.parts import DEFAULT_VALIDATOR, QueueDispatcher, RestJsonResponder
from reference.parts.dispatch import Enqueue
from reference.request import raw_request


@dataclass(frozen=True)
class Answers200(RestJsonResponder):
    """IEA-WIRE-001: 200 OK instead of 202 Accepted (what moto does)."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        response.set_status(200)
        return response


@dataclass(frozen=True)
class NoInferenceIdInBody(RestJsonResponder):
    """IEA-WIRE-002: the 202 body is an empty JSON object."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        response.text = "{}"
        return response


@dataclass(frozen=True)
class NoOutputLocationHeader(RestJsonResponder):
    """IEA-WIRE-003: the 202 omits X-Amzn-SageMaker-OutputLocation."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        response.headers.popall("X-Amzn-SageMaker-OutputLocation", None)
        return response


@dataclass(frozen=True)
class NoFailureLocationHeader(RestJsonResponder):
    """IEA-WIRE-004: the 202 omits X-Amzn-SageMaker-FailureLocation (pre-2023-04 shape)."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        response.headers.popall("X-Amzn-SageMaker-FailureLocation", None)
        return response


@dataclass(frozen=True)
class UntypedErrors(RestJsonResponder):
    """IEA-WIRE-005: errors name their type nowhere (no header, no __type/code)."""

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        response = super().error(error, request_id)
        response.headers.popall("X-Amzn-ErrorType", None)
        return response


@dataclass(frozen=True)
class UnknownEndpointIs404(RestJsonResponder):
    """With a skipped EndpointName rule: a bad name reaches the endpoint lookup, and an
    endpoint that is not found is answered 404 ResourceNotFound (VAL-023 is a SHOULD)."""

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        if error.code == "ValidationError" and error.message.endswith("not found."):
            error = ServiceError(404, "ResourceNotFound", error.message)
        return super().error(error, request_id)


@dataclass(frozen=True)
class EmptyErrorMessages(RestJsonResponder):
    """IEA-VAL-026: errors keep their type but carry an empty message."""

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        return super().error(ServiceError(error.status, error.code, ""), request_id)


@dataclass(frozen=True)
class Synchronous(QueueDispatcher):
    """IEA-ASYNC-001: the 202 waits for the inference (and its outcome) to finish."""

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        await enqueue(job)
        return await job.done


@dataclass(frozen=True)
class ResultInTheResponse(RestJsonResponder):
    """IEA-WIRE-006 (with `Synchronous`): the model's answer rides in the 202 body."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        body: dict[str, Any] = {"InferenceId": job.inference_id}
        if outcome is not None and outcome.body is not None:
            body["Body"] = outcome.body.decode("utf-8", "replace")
            body["BodyBase64"] = base64.b64encode(outcome.body).decode("ascii")
        response.text = json.dumps(body)
        return response


@dataclass(frozen=True)
class AcceptsEverything:
    """With `QueuesBeforeValidating`: nothing is rejected before the job is queued."""

    def validate(self, request: Any) -> list[str]:
        return []


@dataclass(frozen=True)
class QueuesBeforeValidating(QueueDispatcher):
    """IEA-VAL-022: the request is queued first and validated after; the 400 is right,
    but the rejected request still runs."""

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        await enqueue(job)
        request = job.request
        raw = raw_request(request.endpoint_name, request.client_headers, request.body or b"")
        problems = DEFAULT_VALIDATOR.validate(raw)
        if problems:
            raise ServiceError(400, "ValidationError", "; ".join(problems))
        return None


@dataclass(frozen=True)
class ThrottlesBeyondTheLimit(QueueDispatcher):
    """IEA-CONC-002: a request arriving while every worker is busy gets 429, not a queue slot."""

    in_flight: set[asyncio.Future[Outcome]] = field(default_factory=set, compare=False)

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        endpoint = job.endpoint
        limit = (endpoint.max_concurrent_per_instance or 1) * max(1, endpoint.instance_count)
        for done in [f for f in self.in_flight if f.done()]:
            self.in_flight.discard(done)
        if len(self.in_flight) >= limit:
            raise ServiceError(429, "ThrottlingException", "Too many requests in flight.")
        self.in_flight.add(job.done)
        await enqueue(job)
        return None


MUTANTS: tuple[Mutant, ...] = (
    Mutant("answers-200", "IEA-WIRE-001", lambda: {"responder": Answers200()}),
    Mutant("no-inference-id-in-body", "IEA-WIRE-002", lambda: {"responder": NoInferenceIdInBody()}),
    Mutant("no-output-location-header", "IEA-WIRE-003",
           lambda: {"responder": NoOutputLocationHeader()}),
    Mutant("no-failure-location-header", "IEA-WIRE-004",
           lambda: {"responder": NoFailureLocationHeader()}),
    Mutant("untyped-errors", "IEA-WIRE-005", lambda: {"responder": UntypedErrors()}),
    Mutant("result-in-the-response", "IEA-WIRE-006",
           lambda: {"responder": ResultInTheResponse(), "dispatcher": Synchronous()}),
    Mutant("synchronous", "IEA-ASYNC-001", lambda: {"dispatcher": Synchronous()}),
    Mutant("queues-before-validating", "IEA-VAL-022",
           lambda: {"validator": AcceptsEverything(), "dispatcher": QueuesBeforeValidating()}),
    # Every 400's message is empty: any validation check that gets a 400 notices.
    Mutant("empty-error-messages", "IEA-VAL-026", lambda: {"responder": EmptyErrorMessages()},
           through="IEA-VAL-017"),
    Mutant("throttles-beyond-the-limit", "IEA-CONC-002",
           lambda: {"dispatcher": ThrottlesBeyondTheLimit()}),
)
