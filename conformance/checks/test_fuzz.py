"""Fuzzing with schemathesis over the spec's OpenAPI document, every request signed.

Positive and negative cases alike are judged by the spec itself
(``spec.wirecheck``): a request the document accepts must get 202, one it rejects
must get a 4xx and never a 2xx; nothing may get a 5xx; every response must match
the document's schema for its status. A request the document accepts but whose
signed headers hold a TAB or a non-ASCII character may also get a 403 signature
error: botocore signs those differently from what AWS's SigV4 description or an
ISO-8859-1 front end computes (``spec.contract.HEADER_OCTET_RULE_TEXT``).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import schemathesis
from botocore.awsrequest import AWSRequest
from hypothesis import assume, given
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis import GenerationMode

from conformance.client import Exchange, Signing
from conformance.depth import hypothesis_check
from conformance.session import ConformanceSession
from conformance.violations import Checks
from spec.catalogue import load_catalogue
from spec.contract import BEHAVIOURS, HEADER_OCTET_RULE_TEXT, SIGNATURE_ERROR_TYPES
from spec.openapi import load_openapi
from spec.wirecheck import WireError, validate_wire_request

CATALOGUE = load_catalogue()
# Headers schemathesis adds for its own bookkeeping or for the security scheme; the
# suite signs requests itself.
DROPPED = {"authorization", "user-agent"}
DOCUMENT_URN = "urn:conformance:openapi"


def _blame(errors: tuple[WireError, ...]) -> str:
    """The catalogue behaviour a target breaks by accepting a request with ``errors``."""
    for error in errors:
        behaviour = BEHAVIOURS.get((error.member, error.kind))
        if behaviour and CATALOGUE.get(behaviour).level == "MUST":
            return behaviour
    for error in errors:
        if (error.member, error.kind) in BEHAVIOURS:
            return BEHAVIOURS[(error.member, error.kind)]
        if error.kind == "path":
            return "IEA-VAL-002"
    return "IEA-VAL-026"


class ResponseSchemas:
    """The document's response schemas, with its $refs resolvable."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(DOCUMENT_URN, resource)
        operation = next(iter(document["paths"].values()))["post"]
        self._responses = operation["responses"]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if not ref:
            return node
        target: Any = self._document
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        return target

    def errors(self, status: int, body: bytes) -> list[str]:
        response = self._responses.get(str(status))
        if response is None:
            return [f"status {status} is not documented"]
        response = self._resolve(response)
        content = response.get("content") or {}
        if not content:
            return []
        schema = next(iter(content.values())).get("schema")
        if not schema:
            return []
        try:
            instance = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return [f"the body is not JSON: {body[:80]!r}"]
        wrapped = {"$ref": DOCUMENT_URN + schema["$ref"]} if "$ref" in schema else schema
        validator = jsonschema.Draft202012Validator(wrapped, registry=self._registry)
        return [e.message for e in validator.iter_errors(instance)]


def _cases(session: ConformanceSession) -> st.SearchStrategy[Any]:
    schema = schemathesis.openapi.from_dict(load_openapi(session.target.revision))
    operation = next(iter(schema.get_all_operations())).ok()
    positive = operation.as_strategy(
        GenerationMode.POSITIVE, path_parameters={"EndpointName": session.target.endpoint_name}
    )
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    return st.one_of(positive, negative)


def _octet_sensitive(headers: dict[str, str]) -> bool:
    """True when a header's signature depends on the server's octet reading or white-space rule."""
    return any("\t" in value or not value.isascii() for value in headers.values())


def _blank_header(headers: dict[str, str]) -> bool:
    """True when a header is empty or white space only: HTTP stacks differ there (seen:
    llhttp, aiohttp's and Node's parser, answered such a request with its own plain-text
    400 "Empty Content-Length" before any application saw it), so the error's shape
    is the HTTP layer's, not the operation's."""
    return any(not value.strip() for value in headers.values())


def _inference_id(case: Any) -> str | None:
    for name, value in (case.headers or {}).items():
        if name.lower() == "x-amzn-sagemaker-inference-id":
            return str(value)
    return None


def _send(session: ConformanceSession, case: Any) -> tuple[Exchange, tuple[WireError, ...]]:
    kwargs = case.as_transport_kwargs(base_url=session.runtime_url)
    headers = {
        k: str(v) for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in DROPPED
    }
    body = kwargs.get("data") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = AWSRequest(method=kwargs["method"], url=kwargs["url"], headers=headers, data=body)
    path = kwargs["url"][len(session.runtime_url) :].split("?", 1)[0]
    errors = validate_wire_request(
        method=kwargs["method"],
        path=path,
        headers=headers,
        body=body,
        revision=session.target.revision,
    )
    exchange = session.send(request, signing=Signing(), params={})
    return exchange, errors


@pytest.mark.behaviour(
    "IEA-WIRE-001",
    "IEA-WIRE-002",
    "IEA-WIRE-005",
    *sorted({b for b in BEHAVIOURS.values()}),
)
def test_fuzzed_requests_get_the_status_the_spec_says(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    schemas = ResponseSchemas(load_openapi(session.target.revision))
    own_endpoint = f"/endpoints/{session.target.endpoint_name}/"

    @hypothesis_check("fuzz")
    @given(case=_cases(session))
    def check(case: Any) -> None:
        # Whether a reused InferenceId may be rejected is open: never reuse one.
        assume(not session.inference_id_used(_inference_id(case)))
        exchange, errors = _send(session, case)
        status = exchange.status
        checks = Checks()
        if not errors and own_endpoint in exchange.request.url:
            sensitive = _octet_sensitive(exchange.request.headers)
            signature_error = status == 403 and exchange.error_type() in SIGNATURE_ERROR_TYPES
            checks.require(
                status == 202 or (sensitive and signature_error),
                "IEA-WIRE-001",
                expected="202 for a request the spec accepts"
                + (f", or a 403 signature error: {HEADER_OCTET_RULE_TEXT}" if sensitive else ""),
                observed=f"status {status} {exchange.error_type() or ''}",
                exchange=exchange,
            )
        elif not errors:
            checks.require(
                400 <= status < 500,
                "IEA-VAL-023",
                expected="a 4xx for a valid request naming an endpoint that does not exist",
                observed=f"status {status}",
                exchange=exchange,
            )
        else:
            behaviour = _blame(errors)
            checks.require(
                400 <= status < 500,
                behaviour,
                expected=f"a 4xx rejection: {errors[0].message[:200]}",
                observed=f"status {status}",
                exchange=exchange,
            )
        schema_errors = schemas.errors(status, exchange.response.body)
        behaviour = "IEA-WIRE-002" if status == 202 else "IEA-WIRE-005"
        if status != 202 and _blank_header(exchange.request.headers):
            # The status is judged above; the error's shape only where the request
            # reached the operation on any faithful HTTP stack.
            checks.done()
            return
        checks.require(
            not schema_errors,
            behaviour,
            expected=f"a {status} response matching the document's schema",
            observed="; ".join(schema_errors)[:300],
            exchange=exchange,
        )
        checks.done()

    check()
