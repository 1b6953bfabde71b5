"""Asynchrony: the 202 comes back before the inference completes."""

from __future__ import annotations

import pytest

from conformance.checks.support import require_announced, require_completed
from conformance.observe import parse_location
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import require

pytestmark = pytest.mark.needs_probe


@pytest.mark.behaviour("IEA-ASYNC-001")
def test_the_202_comes_back_before_the_inference_completes(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    sleep_ms = 2000
    exchange = session.invoke_probe(probe_payload(tag=new_tag("async"), sleep_ms=sleep_ms))
    purpose = "a request whose model takes 2 s"
    require_announced(exchange, purpose=purpose)
    early = session.observer.fetch(parse_location(exchange.output_location))
    # Without a completed inference "before it completes" says nothing: stop there.
    outcome, _ = require_completed(session, exchange, purpose=purpose)
    require(
        exchange.response.elapsed < sleep_ms / 1000 and early is None,
        "IEA-ASYNC-001",
        expected=f"the response before the model's {sleep_ms} ms inference finished, "
        "and no output yet when it arrived",
        observed=f"response after {exchange.response.elapsed:.2f} s; output "
        + ("already present" if early is not None else "not yet present"),
        exchange=exchange,
        observations=outcome.to_evidence(),
    )
