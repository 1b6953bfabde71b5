"""Inline Body (2026): accepted without InputLocation, delivered byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.support import require_payload_received, require_record
from conformance.depth import hypothesis_check
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import require


@pytest.mark.behaviour("IEA-BODY-001")
def test_an_inline_body_is_accepted(conformance_session: ConformanceSession) -> None:
    exchange = conformance_session.invoke_probe(
        probe_payload(tag=new_tag("inline")), inline=True
    )
    require(
        exchange.status == 202,
        "IEA-BODY-001",
        expected="status 202 for a request with an inline Body and no InputLocation",
        observed=f"status {exchange.status}",
        exchange=exchange,
    )


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-BODY-002")
def test_an_inline_body_reaches_the_model_byte_for_byte(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(
        body=st.one_of(
            st.binary(min_size=1, max_size=2048),
            st.sampled_from([b"x", b"\x00" * 128_000]),
        )
    )
    def check(body: bytes) -> None:
        exchange = session.invoke(
            {
                "EndpointName": session.target.endpoint_name,
                "Body": body,
                "ContentType": "application/octet-stream",
            }
        )
        require(
            exchange.status == 202,
            "IEA-BODY-001",
            expected=f"status 202 for an inline Body of {len(body)} bytes",
            observed=f"status {exchange.status}",
            exchange=exchange,
        )
        outcome = session.wait_for_outcome(exchange)
        record = require_record(outcome, exchange, "IEA-BODY-002")
        require_payload_received(record, body, "IEA-BODY-002", exchange)

    check()
