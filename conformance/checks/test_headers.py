"""What reaches the model: unsupported headers never; CustomAttributes, ContentType,
Accept and the payload exactly as sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.support import (
    require_accepted,
    require_payload_received,
    require_record,
)
from conformance.depth import hypothesis_check
from conformance.probe import new_tag, probe_payload
from conformance.sensitive import fingerprint, sensitive
from conformance.session import ConformanceSession
from conformance.violations import Checks, require
from strategies.headers import unsupported_headers
from strategies.values import custom_attributes

pytestmark = pytest.mark.needs_probe

# Values a header can carry verbatim: visible ASCII and inner spaces (HTTP trims the ends).
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=200
).map(str.strip).filter(bool)


@pytest.mark.behaviour("IEA-HDR-001")
def test_unsupported_headers_never_reach_the_model(conformance_session: ConformanceSession) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(headers=unsupported_headers())
    def check(headers: dict[str, str]) -> None:
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("stripping")), extra_headers=headers
        )
        require_accepted(exchange, purpose="a valid request with extra headers")
        outcome = session.wait_for_outcome(exchange)
        record = require_record(outcome, exchange, "IEA-HDR-001")
        leaked = sorted(
            name for name, value in headers.items() if record.header(name) == value
        )
        require(
            not leaked,
            "IEA-HDR-001",
            expected=f"none of the {len(headers)} unsupported client headers at the model",
            observed=f"the model received {leaked}",
            exchange=exchange,
            observations=outcome.to_evidence(),
        )

    check()


@pytest.mark.behaviour("IEA-HDR-002")
def test_custom_attributes_reach_the_model_verbatim(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(value=custom_attributes().map(sensitive))
    def check(value: str) -> None:
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("custom-attributes")),
            extra_params={"CustomAttributes": value},
        )
        require_accepted(exchange, purpose="a request with CustomAttributes")
        outcome = session.wait_for_outcome(exchange)
        record = require_record(outcome, exchange, "IEA-HDR-002")
        received = record.header("X-Amzn-SageMaker-Custom-Attributes")
        require(
            received == str(value),
            "IEA-HDR-002",
            expected="X-Amzn-SageMaker-Custom-Attributes at the model, verbatim "
            f"({fingerprint(value)})",
            observed="absent"
            if received is None
            else f"a different value ({fingerprint(received)})",
            exchange=exchange,
        )

    check()


@pytest.mark.behaviour("IEA-HDR-003", "IEA-HDR-004")
def test_content_type_and_accept_reach_the_model(conformance_session: ConformanceSession) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(content_type=header_values, accept=header_values)
    def check(content_type: str, accept: str) -> None:
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("content-type")),
            extra_params={"ContentType": content_type, "Accept": accept},
        )
        require_accepted(exchange, purpose="a request with ContentType and Accept")
        outcome = session.wait_for_outcome(exchange)
        record = require_record(outcome, exchange, "IEA-HDR-003")
        checks = Checks()
        checks.require(
            record.header("Content-Type") == content_type,
            "IEA-HDR-003",
            expected=f"Content-Type {content_type!r} at the model",
            observed=f"Content-Type {record.header('Content-Type')!r}",
            exchange=exchange,
        )
        checks.require(
            record.header("Accept") == accept,
            "IEA-HDR-004",
            expected=f"Accept {accept!r} at the model",
            observed=f"Accept {record.header('Accept')!r}",
            exchange=exchange,
        )
        checks.done()

    check()


@pytest.mark.behaviour("IEA-HDR-005")
def test_the_input_payload_reaches_the_model_byte_for_byte(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(payload=st.binary(min_size=1, max_size=4096))
    def check(payload: bytes) -> None:
        location = session.put_input(payload)
        exchange = session.invoke(
            {
                "EndpointName": session.target.endpoint_name,
                "InputLocation": location,
                "ContentType": "application/octet-stream",
            }
        )
        require_accepted(exchange, purpose="a request with a binary input")
        outcome = session.wait_for_outcome(exchange)
        record = require_record(outcome, exchange, "IEA-HDR-005")
        require_payload_received(record, payload, "IEA-HDR-005", exchange)

    check()
