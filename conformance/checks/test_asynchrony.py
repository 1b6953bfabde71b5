"""Asynchrony: the 202 comes back before the inference completes."""

from __future__ import annotations

import time

import pytest

from conformance.checks.support import require_announced, require_completed_outcome
from conformance.client import Exchange
from conformance.observe import Outcome
from conformance.overlap import OutcomePlan, Overlap, Values, overlapped
from conformance.probe import new_tag, probe_payload
from conformance.s3uri import parse_location
from conformance.session import ConformanceSession
from conformance.violations import require

pytestmark = pytest.mark.needs_probe


SLEEP_MS = 2000
PURPOSE = "a request whose model takes 2 s"


def _send_slow(session: ConformanceSession, values: Values) -> Exchange:
    exchange = session.invoke_probe(probe_payload(tag=new_tag("async"), sleep_ms=SLEEP_MS))
    values["_answered_at"] = time.time()
    # What S3 holds the moment the 202 is in: there must be no output yet.
    values["_early"] = session.observer.fetch(parse_location(exchange.output_location))
    return exchange


def _judge_async(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    early = values["_early"]
    require_announced(exchange, purpose=PURPOSE)
    # Without a completed inference "before it completes" says nothing: stop there.
    _, record = require_completed_outcome(exchange, outcome, purpose=PURPOSE)
    # Quicker than the model's sleep, or (a loaded host answering slowly) in before the
    # probe says it finished: either way the 202 did not wait for the inference.
    before_finish = record.finished_at is not None and values["_answered_at"] < record.finished_at
    require(
        (exchange.response.elapsed < SLEEP_MS / 1000 or before_finish) and early is None,
        "IEA-ASYNC-001",
        expected=f"the response before the model's {SLEEP_MS} ms inference finished, "
        "and no output yet when it arrived",
        observed=f"response after {exchange.response.elapsed:.2f} s; output "
        + ("already present" if early is not None else "not yet present"),
        exchange=exchange,
        observations=outcome.to_evidence(),
    )


SLOW = OutcomePlan("slow_inference", send=_send_slow, judge=_judge_async)


@pytest.mark.behaviour("IEA-ASYNC-001")
@overlapped(SLOW)
def test_the_202_comes_back_before_the_inference_completes(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(SLOW)
