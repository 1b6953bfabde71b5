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
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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

from conformance.exchange import (
    Exchange,
    HarnessError,
    RecordedRequest,
    RecordedResponse,
    TargetMisbehaved,
    TargetUnreachable,
)

# The exchange's records and errors are defined in conformance.exchange; most of the
# suite imports them from here, beside the client that makes them.
__all__ = [
    "Exchange",
    "HarnessError",
    "Invoker",
    "RecordedRequest",
    "RecordedResponse",
    "Signing",
    "TargetMisbehaved",
    "TargetUnreachable",
]

OPERATION = "InvokeEndpointAsync"
SIGNING_NAME = "sagemaker"
# A target answering more than this is cut off: the operation's responses are tiny.
MAX_RESPONSE_BYTES = 1_000_000
READ_CHUNK_BYTES = 65_536


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
