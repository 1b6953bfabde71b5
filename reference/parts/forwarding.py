"""Header forwarding part: which headers the model container receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reference.request import AsyncRequest

CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"


class HeaderForwarder(Protocol):
    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        """Headers for POST /invocations (the HTTP client adds Host and Content-Length)."""
        ...


@dataclass(frozen=True)
class ApiHeaderForwarder:
    """Only what the container contract names: Content-Type, Accept, CustomAttributes.

    Every other client header is stripped ("strips all POST headers except those
    supported by the API"); CustomAttributes is passed verbatim.
    """

    default_content_type: str = "application/octet-stream"

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = {"Content-Type": request.content_type or self.default_content_type}
        if request.accept is not None:
            headers["Accept"] = request.accept
        if request.custom_attributes is not None:
            headers[CUSTOM_ATTRIBUTES] = request.custom_attributes
        return headers


class PayloadForwarder(Protocol):
    def container_payload(self, request: AsyncRequest, payload: bytes) -> bytes:
        """The bytes POST /invocations carries, given the input read (S3 or inline Body)."""
        ...


@dataclass(frozen=True)
class ExactPayload:
    """The input byte for byte, whether it came from InputLocation or the inline Body."""

    def container_payload(self, request: AsyncRequest, payload: bytes) -> bytes:
        return payload
