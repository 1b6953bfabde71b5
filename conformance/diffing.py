"""What a target observably did with one request, normalized, and two of those compared.

Normalization drops what may legitimately differ between two faithful
implementations (generated IDs, dates and times, error message texts, the random
part of a location, names of buckets and endpoints, loopback ports) and keeps
what the contract fixes: status, error type, response members, outcome kind,
output content, the location's relation to the configured paths, notification
kinds and fields. Like VCR.py's matchers, a comparison is a list of small named
aspects; the names of the aspects that differ are the explanation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance import sensitive
from conformance.transcript import Placeholders, secrets_now
from reports.redact import redact

_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_HEX = re.compile(r"\b[0-9a-f]{24,}\b")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_STAMP = re.compile(r"\b\d{14}\b")
_RUN = re.compile(r"conformance-run-[0-9a-z-]+")
_LOOPBACK = re.compile(r"(?:127\.0\.0\.1|localhost):\d+")
CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
# Keys whose values are times, counters or per-run state, never the contract's.
_VOLATILE = {
    "started_at",
    "finished_at",
    "sequence",
    "history",
    "eventTime",
    "receivedTime",
    "x-amzn-requestid",
    "x-amz-request-id",
    "date",
}
# Headers the platform may add or a client library sets: their presence varies.
_PLATFORM_HEADERS = {
    "host",
    "content-length",
    "x-amzn-trace-id",
    "connection",
    "accept-encoding",
    "user-agent",
}


@dataclass(frozen=True)
class Observed:
    """What one request got from one target (raw, before normalization)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    supplied_inference_id: str | None = None
    outcome_kind: str | None = None  # None: not observed
    output_uri: str | None = None
    output_body: bytes | None = None
    failure_uri: str | None = None
    failure_body: bytes | None = None
    notifications: Sequence[Any] = ()
    notifications_observed: bool = False


@dataclass
class Context:
    """Per target: its names as placeholders, and its configured output paths."""

    placeholders: Placeholders = field(default_factory=Placeholders)
    output_path: str = ""
    failure_path: str = ""
    # Compare CustomAttributes the model received by fingerprint (diff of two live
    # targets, which got the same value); a replay sent a stand-in, so it cannot.
    fingerprint_secrets: bool = True


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def normalize_text(text: str, context: Context) -> str:
    # Generated IDs first: a UUID's last group may look like an account ID.
    text = _UUID.sub("<uuid>", text)
    text = context.placeholders.apply(text)
    text = _RUN.sub("<run>", text)
    text = _DATE.sub("<date>", text)
    text = _STAMP.sub("<stamp>", text)
    text = _HEX.sub("<hex>", text)
    return _LOOPBACK.sub("<loopback>", text)


def normalize_value(value: Any, context: Context) -> Any:
    if isinstance(value, str):
        return normalize_text(value, context)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key in _VOLATILE or str(key).lower() in _VOLATILE:
                continue
            out[normalize_text(str(key), context)] = normalize_value(item, context)
        if "headers" in out and isinstance(out["headers"], dict):
            out["headers"] = _model_headers(value.get("headers"), out["headers"], context)
        return out
    if isinstance(value, list | tuple):
        return [normalize_value(v, context) for v in value]
    if isinstance(value, float):
        return "<number>"
    return value


def _model_headers(raw: Any, headers: dict[str, Any], context: Context) -> dict[str, Any]:
    kept = {k.lower(): v for k, v in headers.items() if k.lower() not in _PLATFORM_HEADERS}
    if not context.fingerprint_secrets or not isinstance(raw, Mapping):
        return kept
    for key, value in raw.items():
        if str(key).lower() == CUSTOM_ATTRIBUTES and isinstance(value, str):
            kept.pop(CUSTOM_ATTRIBUTES, None)
            kept[CUSTOM_ATTRIBUTES + " (fingerprint)"] = sensitive.fingerprint(value)
    return kept


def normalize_content(body: bytes | None, context: Context) -> Any:
    if body is None:
        return None
    try:
        return normalize_value(json.loads(body.decode("utf-8")), context)
    except (UnicodeDecodeError, ValueError):
        pass
    try:
        return normalize_text(body.decode("utf-8"), context)
    except UnicodeDecodeError:
        return f"<{len(body)} binary bytes>"


def _stem(uri: str | None, prefix: str, context: Context) -> dict[str, Any] | None:
    if not uri:
        return None
    shown = context.placeholders.apply(uri)
    base = context.placeholders.apply(prefix).rstrip("/") + "/" if prefix else ""
    under = bool(base) and shown.startswith(base)
    relative = shown[len(base) :] if under else shown
    return {"under_configured_path": under, "stem": normalize_text(relative, context)}


def _error_type(observed: Observed) -> str | None:
    raw = _header(observed.headers, "X-Amzn-ErrorType")
    if not raw:
        try:
            body = json.loads(observed.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict):
            raw = body.get("__type") or body.get("code") or body.get("Code")
    if not isinstance(raw, str) or not raw:
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1]


def _inference_id(observed: Observed) -> str | None:
    try:
        body = json.loads(observed.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    value = body.get("InferenceId") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _notification(message: Any, context: Context) -> dict[str, Any]:
    if not isinstance(message, Mapping):
        return {"status": "<not JSON>", "fields": []}
    fields = sorted(message)
    for nested in ("requestParameters", "responseParameters", "responseBody"):
        if isinstance(message.get(nested), Mapping):
            fields += [f"{nested}.{k}" for k in sorted(message[nested])]
    return {
        "status": message.get("invocationStatus"),
        "eventName": message.get("eventName"),
        "eventSource": message.get("eventSource"),
        "eventVersion": message.get("eventVersion"),
        "fields": sorted(fields),
    }


def observation(observed: Observed, context: Context) -> dict[str, Any]:
    """The aspects a diff compares, normalized and redacted."""
    accepted = 200 <= observed.status < 300
    aspects: dict[str, Any] = {
        "status": observed.status,
        "error_type": None if accepted else _error_type(observed),
    }
    if not accepted:
        aspects["error_type.named"] = _error_type(observed) is not None
    if accepted:
        given = observed.supplied_inference_id
        got = _inference_id(observed)
        if got is None:
            echo = "absent"
        elif given is not None:
            echo = "echoed" if got == given else "not echoed"
        else:
            echo = "generated" if got else "empty"
        aspects["members.InferenceId"] = echo
        aspects["members.OutputLocation"] = (
            _header(observed.headers, "X-Amzn-SageMaker-OutputLocation") is not None
        )
        aspects["members.FailureLocation"] = (
            _header(observed.headers, "X-Amzn-SageMaker-FailureLocation") is not None
        )
        location = _stem(
            _header(observed.headers, "X-Amzn-SageMaker-OutputLocation"),
            context.output_path,
            context,
        )
        if location is not None:
            aspects["output_location.under_configured_path"] = location["under_configured_path"]
            aspects["output_location.stem"] = location["stem"]
        failure = _stem(
            _header(observed.headers, "X-Amzn-SageMaker-FailureLocation"),
            context.failure_path,
            context,
        )
        if failure is not None:
            aspects["failure_location.under_configured_path"] = failure["under_configured_path"]
            aspects["failure_location.stem"] = failure["stem"]
        content_type = _header(observed.headers, "Content-Type") or ""
        aspects["content_type.json"] = "json" in content_type.lower()
    if observed.outcome_kind is not None:
        aspects["outcome"] = observed.outcome_kind
        if observed.outcome_kind in {"output", "both"} and observed.output_body is not None:
            aspects["output_content"] = normalize_content(observed.output_body, context)
        if observed.outcome_kind in {"failure", "both"}:
            # Failure texts are free text: only that there is one is compared.
            aspects["failure_content"] = "present" if observed.failure_body else "empty"
    if observed.notifications_observed:
        aspects["notifications"] = sorted(
            (_notification(m, context) for m in observed.notifications),
            key=lambda n: json.dumps(n, sort_keys=True, default=str),
        )
    return redact(aspects, secrets=secrets_now())


# aspect -> the behaviour it speaks to, unless the entry names another
DEFAULT_BEHAVIOUR = {
    "members.OutputLocation": "IEA-WIRE-003",
    "members.FailureLocation": "IEA-WIRE-004",
    "output_location.under_configured_path": "IEA-OUT-001",
    "output_location.stem": "IEA-OUT-007",
    "failure_location.under_configured_path": "IEA-FAIL-003",
    "failure_location.stem": "IEA-FAIL-003",
    "content_type.json": "IEA-WIRE-007",
    "error_type.named": "IEA-WIRE-005",
    "outcome": "IEA-OUT-003",
    "output_content": "IEA-OUT-004",
    "failure_content": "IEA-FAIL-004",
    "notifications": "IEA-NOTIF-001",
}


# Behaviours whose statement is "... is accepted with 202".
ACCEPTED_WITH_202 = frozenset({"IEA-WIRE-001", "IEA-BODY-001"})


@dataclass(frozen=True)
class Difference:
    aspect: str
    behaviour: str
    a: Any
    b: Any


def compare(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    *,
    behaviour: str,
    aspects: Mapping[str, str] | None = None,
    supplied_inference_id: bool = False,
) -> list[Difference]:
    """The aspects on which ``a`` and ``b`` differ, each with its behaviour.

    When one target accepted and the other rejected, only status and error type
    are reported: everything else follows from that one disagreement.
    """
    aspects = aspects or {}
    found: list[Difference] = []
    accepted_a = 200 <= int(a.get("status", 0)) < 300
    accepted_b = 200 <= int(b.get("status", 0)) < 300
    if a.get("status") != b.get("status"):
        # Accepted by both with different success statuses: the 202 itself (of an
        # inline body, or any request), whatever else the request was about;
        # otherwise the behaviour of the request.
        status_behaviour = behaviour
        if accepted_a and accepted_b and behaviour not in ACCEPTED_WITH_202:
            status_behaviour = "IEA-WIRE-001"
        found.append(
            Difference(
                "status", aspects.get("status", status_behaviour), a.get("status"), b.get("status")
            )
        )
    if accepted_a != accepted_b:
        return found
    defaults = dict(DEFAULT_BEHAVIOUR)
    defaults["members.InferenceId"] = "IEA-ID-001" if supplied_inference_id else "IEA-WIRE-002"
    defaults["error_type"] = behaviour if behaviour.startswith("IEA-AUTH") else "IEA-WIRE-005"
    if behaviour.startswith("IEA-VAL"):
        defaults["error_type"] = behaviour
    if not accepted_a:
        # Rejected by both: were they also never queued?
        defaults["outcome"] = "IEA-VAL-022" if behaviour.startswith("IEA-VAL") else behaviour
    elif "failure" in {a.get("outcome"), b.get("outcome")}:
        # One target failed the invocation, the other did not: where a failure goes.
        defaults["outcome"] = "IEA-FAIL-001"
    for aspect in sorted(set(a) | set(b)):
        if aspect == "status":
            continue
        if aspect not in a or aspect not in b:
            # Observed on one side only (a transcript that never waited for it).
            continue
        if a[aspect] != b[aspect]:
            found.append(
                Difference(
                    aspect,
                    aspects.get(aspect, defaults.get(aspect, behaviour)),
                    a[aspect],
                    b[aspect],
                )
            )
    return found
