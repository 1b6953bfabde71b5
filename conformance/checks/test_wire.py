"""Wire format: status 202, the response shape, the rest-json error shape."""

from __future__ import annotations

import pytest
from hypothesis import assume, given

from conformance.checks.support import require_accepted, require_completed
from conformance.depth import hypothesis_check
from conformance.observe import parse_location
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks, require
from strategies.requests import valid_requests


def _valid_request_strategy(session: ConformanceSession):  # type: ignore[no-untyped-def]
    location = session.put_input(probe_payload(tag=new_tag("wire")))
    return valid_requests(
        revision=session.target.revision,
        endpoint_name=session.target.endpoint_name,
        input_location=location,
    )


@pytest.mark.behaviour("IEA-WIRE-001", "IEA-WIRE-002", "IEA-WIRE-003", "IEA-WIRE-007")
def test_every_valid_request_gets_202_with_inference_id_and_output_location(
    conformance_session: ConformanceSession,
) -> None:
    @hypothesis_check("property")
    @given(params=_valid_request_strategy(conformance_session))
    def check(params: dict) -> None:
        # Whether a reused InferenceId may be rejected is open: never reuse one.
        assume(not conformance_session.inference_id_used(params.get("InferenceId")))
        exchange = conformance_session.invoke(params)
        checks = Checks()
        checks.require(
            exchange.status == 202,
            "IEA-WIRE-001",
            expected="status 202",
            observed=f"status {exchange.status}",
            exchange=exchange,
        )
        body = exchange.json()
        checks.require(
            isinstance(body, dict)
            and isinstance(body.get("InferenceId"), str)
            and body["InferenceId"] != "",
            "IEA-WIRE-002",
            expected='a JSON object body with a non-empty string "InferenceId"',
            observed=f"body {exchange.response.body[:200]!r}",
            exchange=exchange,
        )
        location = parse_location(exchange.output_location)
        checks.require(
            exchange.output_location is not None
            and exchange.output_location.startswith("s3://")
            and location is not None
            and location.key != "",
            "IEA-WIRE-003",
            expected="X-Amzn-SageMaker-OutputLocation naming an object, s3://bucket/key",
            observed=f"OutputLocation {exchange.output_location!r}",
            exchange=exchange,
        )
        content_type = exchange.response.header("Content-Type") or ""
        checks.require(
            "json" in content_type.lower(),
            "IEA-WIRE-007",
            expected="a JSON Content-Type (application/json)",
            observed=f"Content-Type {content_type!r}",
            exchange=exchange,
        )
        checks.done()

    check()


@pytest.mark.behaviour("IEA-WIRE-004")
def test_failure_location_is_announced_when_a_failure_path_is_configured(
    conformance_session: ConformanceSession,
) -> None:
    config = conformance_session.async_config
    assert config is not None
    if not config.s3_failure_path:
        pytest.skip("the endpoint config has no S3FailurePath")
    exchange = conformance_session.invoke_probe(probe_payload(tag=new_tag("failure-location")))
    require_accepted(exchange, purpose="a valid probe request")
    location = parse_location(exchange.failure_location)
    require(
        exchange.failure_location is not None
        and exchange.failure_location.startswith("s3://")
        and location is not None
        and location.key != "",
        "IEA-WIRE-004",
        expected="X-Amzn-SageMaker-FailureLocation naming an object, s3://bucket/key",
        observed=f"FailureLocation {exchange.failure_location!r}",
        exchange=exchange,
    )


@pytest.mark.behaviour("IEA-WIRE-005")
def test_errors_use_the_rest_json_error_shape(conformance_session: ConformanceSession) -> None:
    session = conformance_session
    location = session.put_input(probe_payload(tag=new_tag("error-shape")))
    exchange = session.invoke(
        {
            "EndpointName": session.target.endpoint_name,
            "InputLocation": location,
            "RequestTTLSeconds": 59,
        }
    )
    body = exchange.json()
    error_type = exchange.error_type()
    require(
        400 <= exchange.status < 500
        and isinstance(body, dict)
        and error_type is not None
        and isinstance(exchange.error_message(), str),
        "IEA-WIRE-005",
        expected="a 4xx status, the error type in X-Amzn-ErrorType (or __type/code in the "
        "body) and a JSON body with a message",
        observed=f"status {exchange.status}, error type {error_type!r}, "
        f"body {exchange.response.body[:200]!r}",
        exchange=exchange,
    )


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-WIRE-006")
def test_the_response_never_carries_the_inference_result(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    tag = new_tag("no-result-in-response")
    exchange = session.invoke_probe(probe_payload(tag=tag))
    # Only a completed inference has a result that could leak into the response.
    require_completed(session, exchange, purpose="a probe request whose result is its tag")
    response_text = exchange.response.body.decode("latin-1") + " ".join(
        exchange.response.headers.values()
    )
    require(
        tag not in response_text and '"probe"' not in response_text,
        "IEA-WIRE-006",
        expected="a response without the model's output (the probe record carries the tag)",
        observed="the probe record's tag appears in the response",
        exchange=exchange,
    )
