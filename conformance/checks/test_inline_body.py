"""Inline Body (2026): accepted without InputLocation, delivered byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.checks.support import (
    require_announced,
    require_payload_received,
    require_record,
)
from conformance.client import Exchange
from conformance.observe import Outcome
from conformance.overlap import OutcomePlan, Overlap, Values, overlapped
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


def _send_inline(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke(
        {
            "EndpointName": session.target.endpoint_name,
            "Body": values["body"],
            "ContentType": "application/octet-stream",
        }
    )


def _judge_inline(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    body = values["body"]
    require(
        exchange.status == 202,
        "IEA-BODY-001",
        expected=f"status 202 for an inline Body of {len(body)} bytes",
        observed=f"status {exchange.status}",
        exchange=exchange,
    )
    # Without an answer in shape and a location to look at, nothing reached is shown.
    require_announced(exchange, purpose=f"an inline Body of {len(body)} bytes")
    record = require_record(outcome, exchange, "IEA-BODY-002")
    require_payload_received(record, body, "IEA-BODY-002", exchange)


INLINE = OutcomePlan(
    "inline_body",
    strategies=lambda session: {
        "body": st.one_of(
            st.binary(min_size=1, max_size=2048),
            st.sampled_from([b"x", b"\x00" * 128_000]),
        )
    },
    send=_send_inline,
    judge=_judge_inline,
)


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-BODY-002")
@overlapped(INLINE)
def test_an_inline_body_reaches_the_model_byte_for_byte(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(INLINE)
