"""An InvokeEndpointAsync request as received (`RawRequest`) and as understood (`AsyncRequest`).

Validation runs on the raw wire strings, so that a non-integer TTL is a
validation failure like any other; only a validated request is turned into the
typed `AsyncRequest` the rest of the service works with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import unquote

from reference.members import header_members

ROUTE_PREFIX = "/endpoints/"
ROUTE_SUFFIX = "/async-invocations"
DEFAULT_TTL_SECONDS = 21600
DEFAULT_INVOCATION_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class RawRequest:
    """Member name -> wire value as received (headers and the URI label), plus the body."""

    values: Mapping[str, str]
    body: bytes
    client_headers: Mapping[str, str]  # every header the client sent, lower-cased names

    @property
    def endpoint_name(self) -> str:
        return self.values.get("EndpointName", "")


def endpoint_label(raw_path: str) -> str | None:
    """The EndpointName label of an async-invocations path, or None for any other path.

    Parsed from the raw path because an encoded '/' in a (bad) name must stay
    part of the label, to be rejected by validation rather than routed elsewhere.
    """
    path = raw_path.partition("?")[0]
    if not (path.startswith(ROUTE_PREFIX) and path.endswith(ROUTE_SUFFIX)):
        return None
    label = path[len(ROUTE_PREFIX) : len(path) - len(ROUTE_SUFFIX)]
    if "/" in label:
        return None
    return unquote(label, errors="surrogateescape")


def raw_request(label: str, headers: Mapping[str, str], body: bytes) -> RawRequest:
    members = header_members()
    values: dict[str, str] = {"EndpointName": label}
    client_headers: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        client_headers[lower] = value
        member = members.get(lower)
        if member is not None:
            values[member.name] = value
    return RawRequest(MappingProxyType(values), body, MappingProxyType(client_headers))


@dataclass(frozen=True)
class AsyncRequest:
    """A validated request: typed members, defaults applied."""

    endpoint_name: str
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    inference_id: str | None
    input_location: str | None
    output_path_extension: str | None
    filename: str | None
    ttl_seconds: int
    invocation_timeout_seconds: int
    body: bytes | None  # the inline Body, None when the input is in S3
    client_headers: Mapping[str, str]

    @classmethod
    def from_raw(cls, raw: RawRequest) -> AsyncRequest:
        v = raw.values
        return cls(
            endpoint_name=raw.endpoint_name,
            content_type=v.get("ContentType"),
            accept=v.get("Accept"),
            custom_attributes=v.get("CustomAttributes"),
            inference_id=v.get("InferenceId"),
            input_location=v.get("InputLocation"),
            output_path_extension=v.get("S3OutputPathExtension"),
            filename=v.get("Filename"),
            ttl_seconds=_integer(v.get("RequestTTLSeconds"), DEFAULT_TTL_SECONDS),
            invocation_timeout_seconds=_integer(
                v.get("InvocationTimeoutSeconds"), DEFAULT_INVOCATION_TIMEOUT_SECONDS
            ),
            body=raw.body if raw.body else None,
            client_headers=raw.client_headers,
        )


def _integer(value: str | None, default: int) -> int:
    # Only reached after validation; a validator without the type rule (a mutant)
    # still must not crash the service, so fall back to the default.
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return default
