"""The suite's signed client: sends InvokeEndpointAsync requests and records the exchange.

botocore builds and signs the request (its rest-json serializer and SigV4 signer),
but parameter validation is skipped on purpose: the suite must be able to send the
invalid requests a target is supposed to reject. Every exchange is recorded so a
failed check can show what was sent and what came back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import shlex
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import botocore.session
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.httpsession import URLLib3Session
from botocore.serialize import create_serializer

OPERATION = "InvokeEndpointAsync"
SIGNING_NAME = "sagemaker"
PREVIEW_BYTES = 2048
# A target answering more than this is cut off: the operation's responses are tiny.
MAX_RESPONSE_BYTES = 1_000_000
READ_CHUNK_BYTES = 65_536


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


@dataclass(frozen=True)
class Signing:
    """How to sign a request; the defaults sign correctly. Auth checks vary one field."""

    sign: bool = True
    access_key: str | None = None
    secret_key: str | None = None
    date: dt.datetime | None = None
    # Sign this body but send the request's real one (a tampered payload).
    signed_body: bytes | None = None


class Invoker:
    """Sends InvokeEndpointAsync to one target, signed with the session's credentials."""

    def __init__(
        self,
        *,
        endpoint_url: str,
        region: str,
        credentials: Credentials | ReadOnlyCredentials,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        revision_model: Any | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.region = region
        self._credentials = credentials
        model = revision_model or botocore.session.get_session().get_service_model(
            "sagemaker-runtime"
        )
        self._operation = model.operation_model(OPERATION)
        self._serializer = create_serializer("rest-json", include_validation=False)
        self._http = URLLib3Session(
            timeout=(connect_timeout, read_timeout), max_pool_connections=20
        )
        self.read_timeout = read_timeout
        self.sent = 0

    def close(self) -> None:
        self._http.close()

    def serialize(
        self, params: Mapping[str, Any], *, extra_headers: Mapping[str, str] | None = None
    ) -> AWSRequest:
        """The HTTP request botocore's rest-json serializer makes of ``params``,
        plus ``extra_headers`` (which the API does not define)."""
        serialized = self._serializer.serialize_to_request(dict(params), self._operation)
        url = self.endpoint_url + serialized["url_path"]
        if serialized.get("query_string"):
            url += "?" + "&".join(
                f"{quote(str(k))}={quote(str(v))}" for k, v in serialized["query_string"].items()
            )
        body = serialized.get("body") or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        return AWSRequest(
            method=serialized["method"],
            url=url,
            headers={**serialized["headers"], **(extra_headers or {})},
            data=body,
        )

    def invoke(
        self,
        params: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        signing: Signing | None = None,
    ) -> Exchange:
        """Send one InvokeEndpointAsync request built from boto3-style ``params``."""
        request = self.serialize(params, extra_headers=extra_headers)
        return self.send(request, signing=signing or Signing(), params=dict(params))

    def send(self, request: AWSRequest, *, signing: Signing, params: dict[str, Any]) -> Exchange:
        body = request.body if isinstance(request.body, bytes) else (request.body or b"")
        if signing.sign:
            self._sign(request, signing, body)
        prepared = request.prepare()
        # As botocore's own endpoint does: header text goes on the wire as UTF-8, the
        # encoding SigV4 signed it in.
        for name, value in list(prepared.headers.items()):
            if isinstance(value, str) and not value.isascii():
                prepared.headers[name] = value.encode("utf-8")
        # Stream the answer so a hostile target's huge body is cut off, not buffered.
        prepared.stream_output = True
        recorded = RecordedRequest(
            method=prepared.method,
            url=prepared.url,
            headers={k: _text(v) for k, v in prepared.headers.items()},
            body=body,
        )
        started = time.monotonic()
        try:
            status, headers, content = self._exchange_within(prepared, recorded)
        finally:
            self.sent += 1
        response = RecordedResponse(
            status=status,
            headers=headers,
            body=content,
            elapsed=time.monotonic() - started,
        )
        return Exchange(request=recorded, response=response, params=params, region=self.region)

    def _exchange_within(
        self, prepared: Any, recorded: RecordedRequest
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one exchange, the whole of it within the deadline.

        The socket timeout bounds each read, not the answer: a target dripping one
        byte per second would hold a plain read for ever. The exchange runs on a
        thread of its own and is abandoned (its socket closed) at the deadline.
        """
        deadline = self.read_timeout
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = self._exchange(prepared, outcome, deadline)
            except BaseException as exc:  # handed to the caller below
                outcome["error"] = exc
            finally:
                done.set()

        started = time.monotonic()
        worker = threading.Thread(target=run, name="conformance-exchange", daemon=True)
        worker.start()
        finished = done.wait(deadline + 1.0)
        elapsed = time.monotonic() - started
        if not finished:
            _abort(outcome.get("raw"))
            received = bytes(outcome.get("received", b""))
            raise TargetMisbehaved(
                f"{self.endpoint_url} accepted the connection but did not finish its answer "
                f"within {deadline:.0f} s ({len(received)} body bytes by then); the target "
                "hangs or drips",
                request=recorded, deadline=deadline, elapsed=elapsed, received=received,
            )
        error = outcome.get("error")
        if error is None:
            return outcome["value"]  # type: ignore[no-any-return]
        if isinstance(error, ConnectTimeoutError | EndpointConnectionError):
            raise TargetUnreachable(
                f"could not connect to {self.endpoint_url}: {error}. Check the target URL "
                "(AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME or the target file's [endpoints]) "
                "and that the service is running."
            ) from error
        received = bytes(outcome.get("received", b""))
        if isinstance(error, ReadTimeoutError | urllib3.exceptions.ReadTimeoutError) and received:
            observed = (
                f"{self.endpoint_url} accepted the connection but did not finish its answer "
                f"within {deadline:.0f} s ({len(received)} body bytes by then); the target drips"
            )
        elif isinstance(error, ReadTimeoutError | urllib3.exceptions.ReadTimeoutError):
            observed = (
                f"{self.endpoint_url} accepted the connection but did not answer within "
                f"{deadline:.0f} s; the target hangs"
            )
        elif isinstance(error, ConnectionClosedError):
            observed = f"{self.endpoint_url} closed the connection without an answer: {error}"
        elif isinstance(error, Exception):
            # urllib3/http.client/socket faults: resets, bad status lines, short bodies.
            observed = (
                f"{self.endpoint_url} broke the HTTP exchange: {type(error).__name__}: "
                f"{_first_line(error)}"
            )
        else:
            raise error
        raise TargetMisbehaved(
            observed, request=recorded, deadline=deadline, elapsed=elapsed, received=received
        ) from error

    def _exchange(
        self, prepared: Any, progress: dict[str, Any], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        raw = self._http.send(prepared)
        progress["raw"] = raw
        received = bytearray()
        progress["received"] = received
        end = time.monotonic() + deadline
        # read1 returns what has arrived, so the deadline is checked between reads.
        while len(received) <= MAX_RESPONSE_BYTES and time.monotonic() < end:
            chunk = raw.raw.read1(READ_CHUNK_BYTES)
            if not chunk:
                break
            received += chunk
        truncated = len(received) > MAX_RESPONSE_BYTES or time.monotonic() >= end
        if truncated:
            _abort(raw)
        if time.monotonic() >= end and len(received) <= MAX_RESPONSE_BYTES:
            raise urllib3.exceptions.ReadTimeoutError(None, prepared.url, "body deadline")  # type: ignore[arg-type]
        promised = _content_length(raw.headers.get("Content-Length"))
        encoded = _text(raw.headers.get("Content-Encoding") or "identity").strip() != "identity"
        if not truncated and not encoded and promised is not None and len(received) < promised:
            # The connection closed before the body it announced: a broken answer,
            # not a short one to judge as if complete.
            raise urllib3.exceptions.IncompleteRead(len(received), promised - len(received))
        headers = {k: _text(v) for k, v in raw.headers.items()}
        return raw.status_code, headers, bytes(received[:MAX_RESPONSE_BYTES])

    def _sign(self, request: AWSRequest, signing: Signing, body: bytes) -> None:
        creds = self._credentials.get_frozen_credentials() if hasattr(
            self._credentials, "get_frozen_credentials"
        ) else self._credentials
        credentials = Credentials(
            signing.access_key or creds.access_key,
            signing.secret_key or creds.secret_key,
            None if signing.access_key else creds.token,
        )
        signer = _DatedSigV4(credentials, SIGNING_NAME, self.region, signing.date)
        if signing.signed_body is not None:
            # Declare the signed body's hash too: a target must hash the body it
            # received, not trust the declaration.
            request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(
                signing.signed_body
            ).hexdigest()
            request.data = signing.signed_body
            signer.add_auth(request)
            request.data = body
        else:
            signer.add_auth(request)


def _content_length(value: Any) -> int | None:
    text = _text(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) <= 18 else None


class _DatedSigV4(SigV4Auth):
    """SigV4 with an optional fixed signing time, for the clock-skew check."""

    def __init__(
        self, credentials: Credentials, service: str, region: str, when: dt.datetime | None
    ) -> None:
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request: AWSRequest) -> None:
        if self._when is None:
            super().add_auth(request)
            return
        # The same steps as SigV4Auth.add_auth, with our timestamp instead of "now".
        request.context["timestamp"] = self._when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        signature = self.signature(self.string_to_sign(request, canonical), request)
        self._inject_signature_to_request(request, signature)


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


def _abort(raw: Any) -> None:
    """Close an exchange's connection without reading the rest of its answer."""
    if raw is None:
        return
    with contextlib.suppress(Exception):
        raw.raw.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else ""


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _preview(body: bytes) -> str:
    head = body[:PREVIEW_BYTES]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.hex()
    if len(body) > PREVIEW_BYTES:
        text += f"... ({len(body)} bytes)"
    return text
