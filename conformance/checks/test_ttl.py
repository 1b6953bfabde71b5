"""RequestTTLSeconds: a request queued past its TTL never runs and is reported failed.

The saturation scenario keeps every worker busy for longer than the TTL floor,
queues a request with the floor RequestTTLSeconds (60) behind them, and then asks a
witness request for the probe's history of what the model processed; every valid TTL
edge (60, 61, 21,599, 21,600) is then sent to the idle endpoint and must complete.
"""

from __future__ import annotations

import pytest

from conformance.checks.support import evidence_of, require_accepted, require_reported_failed
from conformance.client import HarnessError
from conformance.scenarios import Invocation, SaturationObservation, Scenarios
from conformance.session import ConformanceSession
from conformance.violations import Checks, ContractViolation, note, require

pytestmark = [pytest.mark.needs_probe, pytest.mark.scenario("saturation")]


def _kind(invocation: Invocation) -> str:
    return invocation.outcome.kind if invocation.outcome else "none"


def _observation(scenarios: Scenarios) -> SaturationObservation:
    observation: SaturationObservation = scenarios.result("saturation")
    return observation


@pytest.mark.behaviour("IEA-TTL-001")
def test_an_expired_request_never_reaches_the_model(scenarios: Scenarios) -> None:
    seen = _observation(scenarios)
    # Preconditions: the TTL request was queued, behind holders that demonstrably ran;
    # a rejected request or idle workers prove nothing about expiry.
    require_accepted(
        seen.expiring.exchange, purpose=f"a request with RequestTTLSeconds={seen.ttl_seconds}"
    )
    unfinished = [h for h in seen.holders if h.outcome is None or h.outcome.output is None]
    if unfinished:
        raise ContractViolation(
            "IEA-CONC-002",
            expected=f"all {len(seen.holders)} requests holding the workers completed with an "
            "output (the TTL request queues behind them)",
            observed=f"{len(unfinished)} without an output (first: status "
            f"{unfinished[0].exchange.status}, outcome {_kind(unfinished[0])})",
            exchange=unfinished[0].exchange,
            observations=unfinished[0].evidence(),
        )
    witness = seen.witness.record
    if witness is None and not (seen.witness.outcome and seen.witness.outcome.output):
        # The target never completed the witness: its failure, not the harness's.
        raise ContractViolation(
            "IEA-OUT-005",
            expected="the witness request's output at its announced OutputLocation",
            observed=f"witness outcome {_kind(seen.witness)}, status "
            f"{seen.witness.exchange.status}",
            exchange=seen.witness.exchange,
            observations=seen.witness.evidence(),
        )
    if witness is None:
        raise HarnessError(
            "the witness request produced no probe record, so the model's history cannot "
            f"be read (witness outcome: {_kind(seen.witness)})"
        )
    history = set(witness.history)
    holder_tags = [h.tag for h in seen.holders]
    if not set(holder_tags) <= history:
        raise HarnessError(
            "the probe's history does not list requests that demonstrably ran; it cannot "
            "prove an absence (more than one instance behind the endpoint?)"
        )
    require(
        seen.expiring.tag not in history,
        "IEA-TTL-001",
        expected=f"the request with RequestTTLSeconds={seen.ttl_seconds}, queued behind "
        f"{seen.limit} requests holding every worker for {seen.hold_seconds:.1f} s, "
        "never in the model's history",
        observed=f"the model processed it (tag {seen.expiring.tag} in the witness's history)",
        exchange=seen.expiring.exchange,
        observations=evidence_of(seen.expiring.evidence(), seen.witness.evidence()),
    )


@pytest.mark.behaviour("IEA-TTL-002")
def test_an_expired_request_is_reported_failed(scenarios: Scenarios) -> None:
    seen = _observation(scenarios)
    require_reported_failed(seen.expiring, "IEA-TTL-002", what="the expired request")


@pytest.mark.behaviour("IEA-TTL-003")
def test_a_request_processed_within_its_ttl_is_not_expired(
    scenarios: Scenarios, conformance_session: ConformanceSession
) -> None:
    seen = _observation(scenarios)
    scale = conformance_session.target.clock_scale
    # How long the witness, sent just before to the same idle endpoint, waited for its
    # outcome: a faithful target with a pickup delay (an internal queue, a scale-up)
    # may rightly expire a TTL that leaves less room than about twice that, so such an
    # edge shows nothing about "processed within its TTL" and is not judged.
    idle_wait = seen.witness.outcome.waited if seen.witness.outcome else None
    checks = Checks()
    unjudged = []
    for ttl, fresh in seen.fresh:
        if idle_wait is None or ttl * scale < 2 * idle_wait:
            unjudged.append(ttl)
            continue
        checks.require(
            fresh.outcome is not None and fresh.outcome.output is not None,
            "IEA-TTL-003",
            expected=f"an output object for a request with RequestTTLSeconds={ttl} sent to an "
            "idle endpoint",
            observed=f"outcome {_kind(fresh)}",
            exchange=fresh.exchange,
            observations=fresh.evidence(),
        )
    if unjudged and idle_wait is not None:
        note(
            "IEA-TTL-003",
            f"not judged at RequestTTLSeconds {unjudged}: the idle endpoint took "
            f"{idle_wait:.1f} s to answer the witness, too close to those TTLs "
            f"(x{scale:g} clock)",
        )
    checks.done()
