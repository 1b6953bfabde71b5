"""What reaches the model: unsupported headers never; CustomAttributes, ContentType,
Accept and the payload exactly as sent."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.checks.support import (
    require_accepted,
    require_payload_received,
    require_record,
)
from conformance.client import Exchange
from conformance.observe import Outcome
from conformance.overlap import OutcomePlan, Overlap, Values, overlapped
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


def _send_stripping(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke_probe(
        probe_payload(tag=new_tag("stripping")), extra_headers=values["headers"]
    )


def _judge_stripping(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    headers: dict[str, str] = values["headers"]
    require_accepted(exchange, purpose="a valid request with extra headers")
    record = require_record(outcome, exchange, "IEA-HDR-001")
    leaked = sorted(name for name, value in headers.items() if record.header(name) == value)
    require(
        not leaked,
        "IEA-HDR-001",
        expected=f"none of the {len(headers)} unsupported client headers at the model",
        observed=f"the model received {leaked}",
        exchange=exchange,
        observations=outcome.to_evidence(),
    )


STRIPPING = OutcomePlan(
    "unsupported_headers",
    strategies=lambda session: {"headers": unsupported_headers()},
    send=_send_stripping,
    judge=_judge_stripping,
)


@pytest.mark.behaviour("IEA-HDR-001")
@overlapped(STRIPPING)
def test_unsupported_headers_never_reach_the_model(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(STRIPPING)


def _send_custom_attributes(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke_probe(
        probe_payload(tag=new_tag("custom-attributes")),
        extra_params={"CustomAttributes": values["value"]},
    )


def _judge_custom_attributes(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    value = values["value"]
    require_accepted(exchange, purpose="a request with CustomAttributes")
    record = require_record(outcome, exchange, "IEA-HDR-002")
    received = record.header("X-Amzn-SageMaker-Custom-Attributes")
    require(
        received == str(value),
        "IEA-HDR-002",
        expected="X-Amzn-SageMaker-Custom-Attributes at the model, verbatim "
        f"({fingerprint(value)})",
        observed="absent" if received is None else f"a different value ({fingerprint(received)})",
        exchange=exchange,
    )


CUSTOM_ATTRIBUTES = OutcomePlan(
    "custom_attributes",
    strategies=lambda session: {"value": custom_attributes().map(sensitive)},
    send=_send_custom_attributes,
    judge=_judge_custom_attributes,
)


@pytest.mark.behaviour("IEA-HDR-002")
@overlapped(CUSTOM_ATTRIBUTES)
def test_custom_attributes_reach_the_model_verbatim(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(CUSTOM_ATTRIBUTES)


def _send_content_type(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke_probe(
        probe_payload(tag=new_tag("content-type")),
        extra_params={"ContentType": values["content_type"], "Accept": values["accept"]},
    )


def _judge_content_type(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    content_type, accept = values["content_type"], values["accept"]
    require_accepted(exchange, purpose="a request with ContentType and Accept")
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


CONTENT_TYPE = OutcomePlan(
    "content_type_and_accept",
    strategies=lambda session: {"content_type": header_values, "accept": header_values},
    send=_send_content_type,
    judge=_judge_content_type,
)


@pytest.mark.behaviour("IEA-HDR-003", "IEA-HDR-004")
@overlapped(CONTENT_TYPE)
def test_content_type_and_accept_reach_the_model(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(CONTENT_TYPE)


def _send_payload(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke(
        {
            "EndpointName": session.target.endpoint_name,
            "InputLocation": session.put_input(values["payload"]),
            "ContentType": "application/octet-stream",
        }
    )


def _judge_payload(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    require_accepted(exchange, purpose="a request with a binary input")
    record = require_record(outcome, exchange, "IEA-HDR-005")
    require_payload_received(record, values["payload"], "IEA-HDR-005", exchange)


PAYLOAD = OutcomePlan(
    "input_payload",
    strategies=lambda session: {"payload": st.binary(min_size=1, max_size=4096)},
    send=_send_payload,
    judge=_judge_payload,
)


@pytest.mark.behaviour("IEA-HDR-005")
@overlapped(PAYLOAD)
def test_the_input_payload_reaches_the_model_byte_for_byte(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(PAYLOAD)
