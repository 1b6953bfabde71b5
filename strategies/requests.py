"""Whole InvokeEndpointAsync requests as boto3 ``invoke_endpoint_async`` keyword dicts.

``valid_requests`` follows ``InvokeEndpointAsyncInput`` of the AWS model as of a
revision (``spec.contract``); ``invalid_requests`` breaks exactly one constraint
per request and labels it with the behaviour of ``spec/behaviours.toml`` a target
breaks by accepting it. If ``spec.contract.contract(revision).check(params)``
disagrees with a label, that is a bug here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec import revisions
from spec.contract import BEHAVIOURS, Contract, Violation, contract
from strategies.errors import invalid
from strategies.invalid_values import violating_values
from strategies.values import (
    bodies,
    check_value,
    custom_attributes,
    endpoint_names,
    filenames,
    inference_ids,
    input_locations,
    media_types,
    s3_output_path_extensions,
    timeout_seconds,
    ttl_seconds,
)

__all__ = ["InvalidRequest", "Violation", "invalid_requests", "valid_requests", "violations"]

# Optional members and their valid values.
OPTIONAL: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "ContentType": media_types,
    "Accept": media_types,
    "CustomAttributes": custom_attributes,
    "InferenceId": inference_ids,
    "S3OutputPathExtension": s3_output_path_extensions,
    "Filename": filenames,
    "RequestTTLSeconds": ttl_seconds,
    "InvocationTimeoutSeconds": timeout_seconds,
}


@dataclass(frozen=True)
class InvalidRequest:
    """A request that breaks exactly one constraint, and which one."""

    params: dict[str, Any]
    violation: Violation


def _revision(revision: str) -> str:
    try:
        return revisions.normalize(revision)
    except revisions.UnknownRevision:
        raise invalid(
            "revision", revision, f"use one of {', '.join(revisions.REVISIONS)} or 'current'"
        ) from None


def _check_arguments(
    spec: Contract, endpoint_name: str | None, input_location: str | None, body: bytes | None
) -> None:
    if endpoint_name is not None:
        check_value("endpoint_name", endpoint_name, "EndpointName")
    if input_location is not None:
        check_value("input_location", input_location, "InputLocation")
    if body is not None:
        if not spec.has("Body"):
            raise invalid("body", body[:16], f"revision {spec.revision} has no inline Body")
        if input_location is not None:
            raise invalid("body", body[:16], "Body and InputLocation are exclusive; give one")
        if not isinstance(body, bytes | bytearray) or not body:
            raise invalid("body", body[:16], "must be non-empty bytes")
        check_value("body", bytes(body), "Body")


def _valid(
    spec: Contract, endpoint_name: str | None, input_location: str | None, body: bytes | None
) -> st.SearchStrategy[dict[str, Any]]:
    inline = spec.has("Body")

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        params: dict[str, Any] = {
            "EndpointName": endpoint_name if endpoint_name is not None else draw(endpoint_names())
        }
        for name, values in OPTIONAL.items():
            if spec.has(name) and draw(st.booleans()):
                params[name] = draw(values())
        if body is not None:
            params["Body"] = bytes(body)
        elif inline and draw(st.booleans()):
            params["Body"] = draw(bodies())
        else:
            params["InputLocation"] = (
                input_location if input_location is not None else draw(input_locations())
            )
        return params

    return build()


def valid_requests(
    *,
    revision: str = revisions.CURRENT,
    endpoint_name: str | None = None,
    input_location: str | None = None,
    body: bytes | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Requests a conforming target at ``revision`` must accept with 202.

    Every member the revision defines (``InvokeEndpointAsyncInput``) appears or not
    at random, with values from ``strategies.values`` (edges mixed in). Each request
    carries exactly one input: before revision 2026 always ``InputLocation``; from
    2026 either ``InputLocation`` or an inline ``Body``. ``endpoint_name`` and
    ``input_location``, when given, are used instead of generated ones (a generated
    InputLocation names no real object); ``body`` makes every request inline and
    excludes ``input_location``.
    """
    spec = contract(_revision(revision))
    _check_arguments(spec, endpoint_name, input_location, body)
    return _valid(spec, endpoint_name, input_location, body)


def violations(revision: str = revisions.CURRENT) -> tuple[tuple[str, str, str], ...]:
    """The ``(member, kind, behaviour)`` triples ``invalid_requests`` covers at ``revision``."""
    spec = contract(_revision(revision))
    found = []
    for (member, kind), behaviour in BEHAVIOURS.items():
        if not spec.has(member):
            continue
        if kind == "exclusive" and not spec.exactly_one_of:
            continue
        found.append((member, kind, behaviour))
    return tuple(found)


def _break(
    spec: Contract,
    member: str,
    kind: str,
    behaviour: str,
    base: st.SearchStrategy[dict[str, Any]],
) -> st.SearchStrategy[InvalidRequest]:
    @st.composite
    def build(draw: st.DrawFn) -> InvalidRequest:
        params = dict(draw(base))
        if kind == "missing_required":
            params.pop("InputLocation", None)
            params.pop("Body", None)
            detail = "neither Body nor InputLocation" if spec.exactly_one_of else "no InputLocation"
        elif kind == "exclusive":
            if "InputLocation" not in params:
                params["InputLocation"] = draw(input_locations())
            if "Body" not in params:
                params["Body"] = draw(bodies(max_size=1024))
            detail = "both Body and InputLocation"
        else:
            value = draw(violating_values(spec.member(member), kind))
            if member == "InputLocation":
                params.pop("Body", None)
            if member == "Body":
                params.pop("InputLocation", None)
            params[member] = value
            shown = f"{len(value)} long" if kind == "max_length" else repr(value)[:80]
            detail = f"{member} {kind.replace('_', ' ')}: {shown}"
        return InvalidRequest(params, Violation(member, kind, behaviour, detail))

    return build()


def invalid_requests(
    *,
    revision: str = revisions.CURRENT,
    endpoint_name: str | None = None,
    input_location: str | None = None,
    behaviours: Iterable[str] | None = None,
) -> st.SearchStrategy[InvalidRequest]:
    """Requests breaking exactly one constraint of ``InvokeEndpointAsyncInput`` at ``revision``.

    Each is an ``InvalidRequest(params, violation)``: ``violation.member`` and
    ``violation.kind`` (one of ``spec.contract.KINDS``) say what is broken,
    ``violation.behaviour`` the catalogue ID (``IEA-VAL-001``..``021``, ``024``,
    ``025``) a target breaks by accepting it. Everything else in the request is
    valid. ``endpoint_name``/``input_location`` are used unless the violation is
    about that member. ``behaviours`` restricts the IDs generated.
    Not generated: an empty or missing EndpointName (no such HTTP path), values
    that HTTP would alter (leading/trailing white space, control characters).
    """
    spec = contract(_revision(revision))
    _check_arguments(spec, endpoint_name, input_location, None)
    triples = violations(spec.revision)
    if behaviours is not None:
        wanted = set(behaviours)
        unknown = wanted - {b for _, _, b in triples}
        if unknown:
            covered = sorted({b for _, _, b in triples})
            raise invalid(
                "behaviours", sorted(unknown), f"at {spec.revision} only {', '.join(covered)}"
            )
        triples = tuple(t for t in triples if t[2] in wanted)
    inputs = input_location
    base = _valid(spec, endpoint_name, inputs, None)
    return st.one_of(*(_break(spec, m, k, b, base) for m, k, b in triples))
