"""Concurrency: at most MaxConcurrentInvocationsPerInstance at once; the rest queue."""

from __future__ import annotations

import pytest

from conformance.checks.support import evidence_of
from conformance.client import HarnessError
from conformance.scenarios import SaturationObservation, Scenarios
from conformance.violations import Checks, ContractViolation, require

pytestmark = [pytest.mark.needs_probe, pytest.mark.scenario("saturation")]


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals open at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


@pytest.mark.behaviour("IEA-CONC-001")
def test_no_more_invocations_run_at_once_than_the_limit(scenarios: Scenarios) -> None:
    seen: SaturationObservation = scenarios.result("saturation")
    invocations = [*seen.holders, seen.extra]
    records = [i.record for i in invocations]
    intervals = [
        (r.started_at, r.finished_at)
        for r in records
        if r is not None and r.started_at is not None and r.finished_at is not None
    ]
    unfinished = [i for i in invocations if i.outcome is None or i.outcome.output is None]
    if unfinished:
        # Requests that never completed cannot be timed: that is CONC-002's failure.
        raise ContractViolation(
            "IEA-CONC-002",
            expected=f"all {len(invocations)} saturation requests completed with an output",
            observed=f"{len(unfinished)} without an output (first: status "
            f"{unfinished[0].exchange.status}, outcome "
            f"{unfinished[0].outcome.kind if unfinished[0].outcome else 'none'})",
            exchange=unfinished[0].exchange,
            observations=unfinished[0].evidence(),
        )
    if len(intervals) < len(invocations):
        raise HarnessError(
            f"only {len(intervals)} of {len(invocations)} saturation requests produced a probe "
            "record with timings; the overlap cannot be measured"
        )
    peak = max_overlap(intervals)
    require(
        peak <= seen.limit,
        "IEA-CONC-001",
        expected=f"at most {seen.limit} invocations at once "
        "(MaxConcurrentInvocationsPerInstance x instances)",
        observed=f"{peak} invocations overlapped in the probe's records",
        observations=evidence_of(*(i.evidence() for i in invocations)),
    )


@pytest.mark.behaviour("IEA-CONC-002")
def test_requests_beyond_the_limit_are_queued_and_complete(scenarios: Scenarios) -> None:
    seen: SaturationObservation = scenarios.result("saturation")
    checks = Checks()
    for invocation in [*seen.holders, seen.extra]:
        outcome = invocation.outcome
        checks.require(
            invocation.exchange.status == 202
            and outcome is not None
            and outcome.output is not None,
            "IEA-CONC-002",
            expected=f"{seen.limit + 1} requests against a limit of {seen.limit}: all accepted "
            "with 202, all completed with an output",
            observed=f"request {invocation.tag}: status {invocation.exchange.status}, outcome "
            f"{outcome.kind if outcome else 'none'}",
            exchange=invocation.exchange,
            observations=invocation.evidence(),
        )
    checks.done()
