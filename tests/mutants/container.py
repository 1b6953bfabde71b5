"""Mutants of what the model container receives: headers and payload."""

from __future__ import annotations

from dataclasses import dataclass

from mutants.mutant import Mutant
from reference.parts import ApiHeaderForwarder
from reference.request import AsyncRequest

# Framing headers HTTP itself owns; forwarding them would break the request, not the contract.
HOP_BY_HOP = {
    "host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "te",
    "upgrade",
}


@dataclass(frozen=True)
class ForwardsClientHeaders(ApiHeaderForwarder):
    """IEA-HDR-001: every header the client sent is passed on to the model."""

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = {k: v for k, v in request.client_headers.items() if k not in HOP_BY_HOP}
        headers.update(super().container_headers(request))
        return headers


@dataclass(frozen=True)
class AppendsToCustomAttributes(ApiHeaderForwarder):
    """IEA-HDR-002: CustomAttributes reach the model with a platform suffix appended."""

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = super().container_headers(request)
        if request.custom_attributes is not None:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = request.custom_attributes + ";trace=1"
        return headers


@dataclass(frozen=True)
class FixedContentType(ApiHeaderForwarder):
    """IEA-HDR-003: the model always gets application/octet-stream."""

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = super().container_headers(request)
        headers["Content-Type"] = self.default_content_type
        return headers


@dataclass(frozen=True)
class DropsAccept(ApiHeaderForwarder):
    """IEA-HDR-004: Accept is not passed on."""

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = super().container_headers(request)
        headers.pop("Accept", None)
        return headers


@dataclass(frozen=True)
class TruncatesS3Input:
    """IEA-HDR-005: the input read from S3 loses its last byte (an off-by-one range read)."""

    def container_payload(self, request: AsyncRequest, payload: bytes) -> bytes:
        return payload if request.body is not None else payload[:-1]


@dataclass(frozen=True)
class TerminatesInlineBody:
    """IEA-BODY-002: an inline Body gets a trailing newline (text-mode framing)."""

    def container_payload(self, request: AsyncRequest, payload: bytes) -> bytes:
        return payload + b"\n" if request.body is not None else payload


MUTANTS: tuple[Mutant, ...] = (
    Mutant("forwards-client-headers", "IEA-HDR-001",
           lambda: {"header_forwarder": ForwardsClientHeaders()}),
    Mutant("alters-custom-attributes", "IEA-HDR-002",
           lambda: {"header_forwarder": AppendsToCustomAttributes()}),
    Mutant("fixed-content-type", "IEA-HDR-003", lambda: {"header_forwarder": FixedContentType()}),
    Mutant("drops-accept", "IEA-HDR-004", lambda: {"header_forwarder": DropsAccept()}),
    Mutant("truncates-s3-input", "IEA-HDR-005", lambda: {"payload": TruncatesS3Input()}),
    Mutant("terminates-inline-body", "IEA-BODY-002", lambda: {"payload": TerminatesInlineBody()}),
)
