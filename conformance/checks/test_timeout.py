"""InvocationTimeoutSeconds: an invocation running longer fails; one within it succeeds."""

from __future__ import annotations

import pytest

from conformance.checks.support import require_reported_failed
from conformance.scenarios import Scenarios, TimeoutObservation
from conformance.violations import require

pytestmark = [pytest.mark.needs_probe, pytest.mark.scenario("timeout")]


@pytest.mark.behaviour("IEA-TMO-001")
def test_an_invocation_past_its_timeout_fails(scenarios: Scenarios) -> None:
    seen: TimeoutObservation = scenarios.result("timeout")
    require_reported_failed(
        seen.too_slow,
        "IEA-TMO-001",
        what=f"a model taking {seen.sleep_ms} ms with "
        f"InvocationTimeoutSeconds={seen.timeout_seconds}",
    )


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
