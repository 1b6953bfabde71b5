"""InvocationTimeoutSeconds: an invocation running longer fails; one within it succeeds."""

from __future__ import annotations

import pytest

from conformance.judge import Checks, require
from conformance.scenarios import Scenarios, TimeoutObservation

pytestmark = [pytest.mark.needs_probe, pytest.mark.scenario("timeout")]


@pytest.mark.behaviour("IEA-TMO-001")
def test_an_invocation_past_its_timeout_fails(scenarios: Scenarios) -> None:
    seen: TimeoutObservation = scenarios.result("timeout")
    slow = seen.too_slow
    outcome = slow.outcome
    failed_notification = any(
        (n.message or {}).get("invocationStatus") == "Failed" for n in slow.notifications
    )
    checks = Checks()
    checks.require(
        outcome is not None and outcome.output is None,
        "IEA-TMO-001",
        expected=f"no output for a model taking {seen.sleep_ms} ms with "
        f"InvocationTimeoutSeconds={seen.timeout_seconds}",
        observed=f"outcome {outcome.kind if outcome else 'none'}",
        exchange=slow.exchange,
        observations=slow.evidence(),
    )
    checks.require(
        outcome is not None and (outcome.failure is not None or failed_notification),
        "IEA-TMO-001",
        expected="the timeout reported as a failure (failure object or error notification)",
        observed=f"outcome {outcome.kind if outcome else 'none'}",
        exchange=slow.exchange,
        observations=slow.evidence(),
    )
    checks.done()


@pytest.mark.behaviour("IEA-TMO-002")
def test_an_invocation_within_its_timeout_succeeds(scenarios: Scenarios) -> None:
    seen: TimeoutObservation = scenarios.result("timeout")
    fast = seen.in_time
    require(
        fast.outcome is not None and fast.outcome.output is not None,
        "IEA-TMO-002",
        expected=f"an output for a quick model with InvocationTimeoutSeconds="
        f"{seen.in_time_timeout_seconds}",
        observed=f"outcome {fast.outcome.kind if fast.outcome else 'none'}",
        exchange=fast.exchange,
        observations=fast.evidence(),
    )
