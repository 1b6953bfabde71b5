"""Conforming variants: the reference changed only where the contract leaves room.

Each variant is one small part; `VARIANTS` names what each is allowed to differ
in (the MAY/SHOULD advisories it may raise). Variants replacing different
fields compose, so `VARIANT_GROUPS` runs them a few at a time (CI time); every
variant can also run alone (CONFORMANCE_VARIANTS_ALONE=1).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from reference import sigv4
from reference.endpoints import EndpointDescription
from reference.errors import ServiceError
from reference.jobs import FailureKind, Job, Locations, Outcome
from reference.parts import (
    DEFAULT_PARTS,
    DEFAULT_VALIDATOR,
    ApiHeaderForwarder,
    ExactOutcomeWriter,
    Latin1Headers,
    Notification,
    Parts,
    QueueDispatcher,
    RestJsonResponder,
    Rule,
    RuleValidator,
    S3Write,
    SageMakerNotifier,
    SigV4Authenticator,
    UuidLocations,
)
from reference.parts.dispatch import Enqueue
from reference.request import AsyncRequest, RawRequest


@dataclass(frozen=True)
class HexIds:
    """InferenceId format is [open]: 32 hex digits, no dashes."""

    def assign(self, supplied: str | None) -> str:
        return supplied if supplied is not None else uuid.uuid4().hex


@dataclass(frozen=True)
class ExtraResponseHeaders(RestJsonResponder):
    """Headers AWS adds to every answer (request id, variant, date)."""

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        response = super().accepted(job, outcome)
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        response.headers["X-Amzn-Invoked-Production-Variant"] = "AllTraffic"
        response.headers["X-Amzn-SageMaker-Platform"] = "variant"
        return response

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        response = super().error(error, request_id)
        response.headers["X-Amzn-SageMaker-Platform"] = "variant"
        return response


@dataclass(frozen=True)
class TypeInBody(RestJsonResponder):
    """Errors named by `__type` in the body (namespaced, as awsJson does), no header."""

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        body = {"__type": f"com.amazonaws.sagemaker.runtime#{error.code}", "message": error.message}
        headers = {"x-amzn-RequestId": request_id}
        return web.json_response(body, status=error.status, headers=headers)


@dataclass(frozen=True)
class OtherErrorTexts(RestJsonResponder):
    """Error messages worded differently (still non-empty, type unchanged)."""

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        text = f"Request rejected ({error.code}). Details: {error.message.lower()}"
        return super().error(ServiceError(error.status, error.code, text), request_id)


@dataclass(frozen=True)
class PlatformHeaders(ApiHeaderForwarder):
    """Headers the platform adds to the container request (allowed, IEA-HDR-006)."""

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = super().container_headers(request)
        headers["X-Amzn-Trace-Id"] = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"
        headers["X-Amzn-SageMaker-Target-Model"] = "model.tar.gz"
        headers["X-Amzn-Invocations-Accept"] = "*/*"
        return headers


@dataclass(frozen=True)
class DatedKeys(UuidLocations):
    """Other key names under the output path: <ext>/<yyyy>/<mm>/<dd>/<hex>.json."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        name = uuid.uuid4().hex
        day = datetime.now(UTC).strftime("%Y/%m/%d")
        extension = request.output_path_extension or ""
        output = endpoint.output_path.join(extension, request.filename or f"{day}/{name}.json")
        failure = None
        if endpoint.failure_path is not None:
            failure = endpoint.failure_path.join(extension, f"{day}/{name}.error.json")
        return Locations(output=output, failure=failure)


@dataclass(frozen=True)
class FailurePathWithoutExtension(UuidLocations):
    """[open] S3OutputPathExtension applied to the output path only, not the failure path."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        planned = super().plan(endpoint, request, inference_id)
        if endpoint.failure_path is None:
            return planned
        name = planned.output.key.rsplit("/", 1)[-1].removesuffix(".out")
        failure = endpoint.failure_path.join(f"{name}-{uuid.uuid4().hex[:8]}-error.out")
        return dataclasses.replace(planned, failure=failure)


@dataclass(frozen=True)
class NamesFromInferenceId(UuidLocations):
    """[open] an unnamed output's name "based on the inference ID" (hash + a nonce, so a
    reused InferenceId still gets its own OutputLocation)."""

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        stem = hashlib.sha256(inference_id.encode()).hexdigest()[:24] + "-" + uuid.uuid4().hex[:8]
        extension = request.output_path_extension or ""
        output = endpoint.output_path.join(extension, request.filename or f"{stem}.out")
        failure = None
        if endpoint.failure_path is not None:
            failure = endpoint.failure_path.join(extension, f"{stem}-error.out")
        return Locations(output=output, failure=failure)


@dataclass(frozen=True)
class QueueLatency(QueueDispatcher):
    """Slower processing within the timeouts: each job reaches its queue 300 ms later."""

    delay: float = 0.3
    pending: set[asyncio.Task[None]] = field(default_factory=set, compare=False)

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        async def later() -> None:
            await asyncio.sleep(self.delay)
            await enqueue(job)

        task = asyncio.create_task(later())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return None


def _reason(outcome: Outcome) -> str:
    kind = outcome.failure.value if outcome.failure else "unknown"
    if outcome.failure is FailureKind.MODEL_ERROR:
        return f"ModelError: the model answered with status {outcome.container_status}."
    if outcome.failure is FailureKind.EXPIRED:
        return "Expired: the request's time to live ran out while it waited in the queue."
    return f"InferenceFailed ({kind}): {outcome.reason or 'no detail'}"


@dataclass(frozen=True)
class OtherFailureTexts(SageMakerNotifier):
    """failureReason worded differently, expiry text included ([open])."""

    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        if not outcome.succeeded:
            outcome = dataclasses.replace(outcome, reason=_reason(outcome))
        return super().notifications(job, outcome, region=region)


@dataclass(frozen=True)
class JsonFailureObjects(ExactOutcomeWriter):
    """Failure objects as a JSON document with its own wording."""

    def writes(self, job: Job, outcome: Outcome) -> list[S3Write]:
        writes = super().writes(job, outcome)
        if outcome.succeeded:
            return writes
        document = json.dumps({"status": "Failed", "reason": _reason(outcome)}).encode()
        return [S3Write(w.location, document, "application/json") for w in writes]


def rejecting_reused_ids() -> RuleValidator:
    """[open] a supplied InferenceId used before is rejected with 400 ValidationError."""
    seen: set[str] = set()

    def reused(request: RawRequest) -> str | None:
        supplied = request.values.get("InferenceId")
        if not supplied:
            return None
        if supplied in seen:
            return f"InferenceId {supplied!r} was already used by another request."
        seen.add(supplied)
        return None

    return RuleValidator((*DEFAULT_VALIDATOR.rules, Rule("InferenceId.unique", reused)))


def aws_documented_sigv4() -> SigV4Authenticator:
    """SigV4 canonical header values as AWS's published description says, literally: trim
    spaces and collapse sequential spaces, nothing else (botocore collapses tabs too), so a
    value with an inner TAB fails its signature (403) before it is validated."""
    return SigV4Authenticator(canonical_value=sigv4.aws_documented_value)


# The SHOULDs a front end may not keep because it answers 403 before validating
# (spec.contract.HEADER_OCTET_RULE): 400 ValidationError for non-ASCII / an inner TAB.
OCTET_SHOULDS = frozenset({"IEA-VAL-004", "IEA-VAL-006", "IEA-VAL-008", "IEA-VAL-010"})


@dataclass(frozen=True)
class Variant:
    name: str
    build: Callable[[], dict[str, Any]]
    # MAY/SHOULD behaviours the variant is allowed to report as not kept (advisories).
    may_differ: frozenset[str] = frozenset()
    # A known false alarm of the suite on this variant: why, precisely (a strict xfail).
    false_alarm: str = ""


VARIANTS: tuple[Variant, ...] = (
    Variant("hex-inference-ids", lambda: {"inference_ids": HexIds()}, frozenset({"IEA-ID-004"})),
    Variant("extra-response-headers", lambda: {"responder": ExtraResponseHeaders()}),
    Variant("platform-container-headers", lambda: {"header_forwarder": PlatformHeaders()}),
    Variant("dated-key-names", lambda: {"locations": DatedKeys()}, frozenset({"IEA-OUT-007"})),
    Variant("queue-latency", lambda: {"dispatcher": QueueLatency()}),
    # As real endpoints do (internal queue, scale-up, a slow model): every accepted
    # request waits 2 s before a worker may pick it up; the TTL runs through it.
    Variant("pickup-delay-2s", lambda: {"dispatcher": QueueLatency(delay=2.0)}),
    Variant("other-error-texts", lambda: {"responder": OtherErrorTexts()}),
    Variant("type-in-body", lambda: {"responder": TypeInBody()}),
    Variant("other-failure-texts",
            lambda: {"notifier": OtherFailureTexts(), "outcome_writer": JsonFailureObjects()}),
    Variant("failure-path-without-extension", lambda: {"locations": FailurePathWithoutExtension()},
            frozenset({"IEA-PATH-003"})),
    Variant("names-from-inference-id", lambda: {"locations": NamesFromInferenceId()},
            frozenset({"IEA-OUT-007"})),
    Variant("rejects-reused-inference-ids", lambda: {"validator": rejecting_reused_ids()}),
    # Header octets read as ISO-8859-1 before SigV4 and validation (Python's http.server):
    # a non-ASCII value fails its signature, 403 instead of 400.
    Variant("iso-8859-1-front-end", lambda: {"header_reader": Latin1Headers()}, OCTET_SHOULDS),
    Variant("aws-documented-sigv4", lambda: {"authenticator": aws_documented_sigv4()},
            frozenset({"IEA-VAL-010"})),
)

# Variants replacing different fields, run together (one suite run per group).
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("hex-inference-ids", "extra-response-headers", "platform-container-headers",
     "dated-key-names", "other-failure-texts"),
    ("type-in-body", "queue-latency", "names-from-inference-id"),
    ("other-error-texts", "failure-path-without-extension", "iso-8859-1-front-end",
     "aws-documented-sigv4"),
    ("rejects-reused-inference-ids", "pickup-delay-2s"),
)


def compose(*names: str) -> tuple[Parts, frozenset[str]]:
    """The reference with every named variant's fields replaced, and what may differ."""
    by_name = {v.name: v for v in VARIANTS}
    fields: dict[str, Any] = {}
    may_differ: frozenset[str] = frozenset()
    for name in names:
        variant = by_name[name]
        built = variant.build()
        clash = set(built) & set(fields)
        if clash:
            raise ValueError(f"variants={names}: {name} replaces {sorted(clash)} again")
        fields.update(built)
        may_differ |= variant.may_differ
    return dataclasses.replace(DEFAULT_PARTS, **fields), may_differ
