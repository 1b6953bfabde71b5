"""One request the suite sent and the answer it got: the records, their evidence, and
the commands (curl, boto3) that resend the request; the errors that say whose fault
a broken exchange was (the harness's, or the target's).

``conformance.client`` makes these; checks, observers and the plugin read them.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PREVIEW_BYTES = 2048


class HarnessError(Exception):
    """The harness or the environment broke, not the target: reported as ``error``."""


class TargetUnreachable(HarnessError):
    """The target could not be reached at all (nothing listens, no route)."""


class TargetMisbehaved(Exception):
    """The target took the connection and then broke HTTP: no answer within the
    deadline, a reset, a malformed, truncated or endless response.

    That is the target's fault, not the harness's: the plugin judges it as a
    failure of the behaviours the check needed an answer for (IEA-WIRE-001 first),
    with the deadline and the request as evidence.
    """

    def __init__(
        self,
        observed: str,
        *,
        request: RecordedRequest,
        deadline: float,
        elapsed: float,
        received: bytes = b"",
    ) -> None:
        self.observed = observed
        self.request = request
        self.deadline = deadline
        self.elapsed = elapsed
        self.received = received
        super().__init__(observed)

    def evidence(self) -> dict[str, Any]:
        return {
            "kind": "no-answer",
            "observed": self.observed,
            "deadline_seconds": self.deadline,
            "elapsed_seconds": round(self.elapsed, 3),
            "received_bytes": len(self.received),
            "received_preview": _preview(self.received[:PREVIEW_BYTES]),
            "request": self.request.to_evidence(),
        }


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def to_evidence(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body_preview": _preview(self.body),
            "body_length": len(self.body),
        }


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    def to_evidence(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body_preview": _preview(self.body),
            "elapsed_seconds": round(self.elapsed, 4),
        }


@dataclass(frozen=True)
class Exchange:
    """One request sent to the target and the response it gave."""

    request: RecordedRequest
    response: RecordedResponse
    params: dict[str, Any] = field(default_factory=dict)
    # The region the client signs for (the reproduction needs it when unsigned).
    region: str | None = None

    @property
    def status(self) -> int:
        return self.response.status

    def json(self) -> Any:
        """The response body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.response.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    @property
    def inference_id(self) -> str | None:
        body = self.json()
        if isinstance(body, dict) and isinstance(body.get("InferenceId"), str):
            return body["InferenceId"]
        return None

    @property
    def output_location(self) -> str | None:
        return self.response.header("X-Amzn-SageMaker-OutputLocation")

    @property
    def failure_location(self) -> str | None:
        return self.response.header("X-Amzn-SageMaker-FailureLocation")

    def error_type(self) -> str | None:
        """The error code as a rest-json client reads it (Smithy restJson1 rules).

        X-Amzn-ErrorType wins; else ``__type`` or ``code`` in the body. Anything
        after ``:`` and before ``#`` is dropped.
        """
        raw = self.response.header("X-Amzn-ErrorType")
        if not raw:
            body = self.json()
            if isinstance(body, dict):
                raw = body.get("__type") or body.get("code") or body.get("Code")
        if not isinstance(raw, str) or not raw:
            return None
        return raw.split(":", 1)[0].rsplit("#", 1)[-1]

    def error_message(self) -> str | None:
        body = self.json()
        if isinstance(body, dict):
            for key in ("message", "Message", "errorMessage"):
                if isinstance(body.get(key), str):
                    return body[key]
        return None

    def to_evidence(self) -> dict[str, Any]:
        return {
            "request": self.request.to_evidence(),
            "response": self.response.to_evidence(),
            "reproduction": reproduction(self),
        }


# Bodies up to this size are written into the reproduction itself.
REPRODUCED_BODY_BYTES = 4096
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]{1,32})/([a-z0-9.-]{1,64})/aws4_request")


def reproduction(exchange: Exchange) -> dict[str, str]:
    """What resends the request as printed, to the target it went to.

    ``curl`` replays the exact request (method, URL, headers, body; signed with
    ``$AWS_ACCESS_KEY_ID``/``$AWS_SECRET_ACCESS_KEY`` for the region and service
    of the original signature, unsigned when the original was). ``boto3`` is the
    same call through boto3, with the target's ``endpoint_url``; given only when
    the request was an API call boto3 can make (not for raw fuzz requests).
    Credentials are never written in.
    """
    request = exchange.request
    split = urlsplit(request.url)
    endpoint_url = f"{split.scheme}://{split.netloc}"
    scope = _SCOPE.search(_header(request.headers, "authorization") or "")
    region, service = scope.groups() if scope else (exchange.region, None)
    small = len(request.body) <= REPRODUCED_BODY_BYTES
    result: dict[str, str] = {}
    if exchange.params:
        params = dict(exchange.params)
        if "Body" in params and not small:
            params["Body"] = f"<{len(request.body)} bytes: see the request evidence>"
        client_args = f"endpoint_url={endpoint_url!r}"
        if region:
            client_args += f", region_name={region!r}"
        result["boto3"] = "\n".join(
            [
                "import boto3",
                f'client = boto3.client("sagemaker-runtime", {client_args})',
                f"print(client.invoke_endpoint_async(**{params!r}))",
            ]
        )
    skip = {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}
    skip |= {"content-length", "host"}
    parts = ["curl", "-i", "-X", request.method, shlex.quote(request.url)]
    feed: list[str] = []
    for name, value in request.headers.items():
        if name.lower() in skip:
            continue
        parts += ["-H", _shell_bytes(_raw(f"{name}: {value}"))]
    if scope:
        parts += ["--aws-sigv4", shlex.quote(f"aws:amz:{region}:{service}")]
        parts += ["--user", '"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"']
        if _header(request.headers, "x-amz-security-token"):
            parts += ["-H", '"x-amz-security-token: $AWS_SESSION_TOKEN"']
    if request.body and _header(request.headers, "content-type") is None:
        parts += ["-H", shlex.quote("Content-Type:")]  # curl would add its own
    if request.body:
        if small and b"\x00" not in request.body:
            parts += ["--data-binary", _shell_bytes(request.body)]
        elif small:
            # A shell word cannot hold NUL: printf writes the exact bytes to curl's stdin.
            escaped = "".join(f"\\x{b:02x}" for b in request.body)
            feed = ["printf", f"'{escaped}'", "|"]
            parts += ["--data-binary", "@-"]
        else:
            parts += ["--data-binary", "@body.bin"]
    result["curl"] = " ".join(feed + parts)
    return result


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _raw(text: str) -> bytes:
    """The bytes of a recorded header line (recorded as latin-1 text of the wire bytes)."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _shell_bytes(raw: bytes) -> str:
    """One shell word that is exactly ``raw`` (bash's $'...' for non-printable bytes)."""
    if all(0x20 <= b < 0x7F for b in raw):
        return shlex.quote(raw.decode("ascii"))
    escaped = "".join(
        chr(b) if 0x20 <= b < 0x7F and b not in b"\\'" else f"\\x{b:02x}" for b in raw
    )
    return f"$'{escaped}'"


def _preview(body: bytes) -> str:
    head = body[:PREVIEW_BYTES]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.hex()
    if len(body) > PREVIEW_BYTES:
        text += f"... ({len(body)} bytes)"
    return text
