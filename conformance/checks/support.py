"""Small helpers the checks share: acceptance, outcomes, probe records, witnesses."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from conformance.client import Exchange
from conformance.observe import Outcome, parse_location
from conformance.probe import ProbeRecord, new_tag, parse_probe_record, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks, ContractViolation, require

if TYPE_CHECKING:
    from conformance.scenarios import Invocation


def accepted(exchange: Exchange) -> bool:
    """Did the target take the request? (2xx: 202 itself is judged by IEA-WIRE-001.)"""
    return 200 <= exchange.status < 300


def require_accepted(exchange: Exchange, *, purpose: str) -> None:
    """A valid request must be accepted; without that nothing after it can be judged."""
    require(
        accepted(exchange),
        "IEA-WIRE-001",
        expected=f"a 2xx answer to a valid request ({purpose})",
        observed=f"status {exchange.status}",
        exchange=exchange,
    )


def require_announced(exchange: Exchange, *, purpose: str) -> None:
    """Accepted, with an OutputLocation to observe: without one no outcome can be judged,
    so a check stops here (IEA-WIRE-003) instead of passing on an absence."""
    require_accepted(exchange, purpose=purpose)
    location = parse_location(exchange.output_location)
    require(
        location is not None and bool(location.key),
        "IEA-WIRE-003",
        expected=f"X-Amzn-SageMaker-OutputLocation naming an object ({purpose})",
        observed=f"OutputLocation {exchange.output_location!r}",
        exchange=exchange,
    )


def require_completed(
    session: ConformanceSession, exchange: Exchange, *, purpose: str
) -> tuple[Outcome, ProbeRecord]:
    """The request ran to completion: its output object holds the probe's record.

    The precondition of every check that judges what surrounds an inference (the
    result absent from the 202, the 202 before completion): without a completed
    inference there is nothing to judge, and the check stops with what broke.
    """
    require_announced(exchange, purpose=purpose)
    outcome = session.wait_for_outcome(exchange)
    record = probe_record(outcome)
    if record is None:
        raise ContractViolation(
            "IEA-OUT-005" if outcome.output is None else "IEA-OUT-004",
            expected=f"the probe's record at the announced OutputLocation ({purpose})",
            observed=f"outcome {outcome.kind} after {outcome.waited:.1f} s"
            + (
                " whose bytes are not a probe record (is the endpoint's model the probe? "
                "else run with --no-probe)"
                if outcome.output
                else ""
            ),
            exchange=exchange,
            observations=outcome.to_evidence(),
        )
    return outcome, record


def record_violation(checks: Checks, violation: ContractViolation) -> None:
    """Add a raised violation to soft ``checks`` (so the others found so far survive)."""
    checks.require(
        False,
        violation.behaviour,
        expected=violation.expected,
        observed=violation.observed,
        exchange=violation.exchange,
        observations=violation.observations,
    )


def probe_record(outcome: Outcome) -> ProbeRecord | None:
    return parse_probe_record(outcome.output.body) if outcome.output else None


def require_record(outcome: Outcome, exchange: Exchange, behaviour: str) -> ProbeRecord:
    """The probe record in the output object, or a violation of ``behaviour``."""
    record = probe_record(outcome)
    if record is None:
        raise ContractViolation(
            behaviour,
            expected="an output object holding the probe model's record",
            observed=f"outcome {outcome.kind}"
            + (" whose bytes are not a probe record" if outcome.output else ""),
            exchange=exchange,
            observations=outcome.to_evidence(),
        )
    return record


def require_payload_received(
    record: ProbeRecord, payload: bytes, behaviour: str, exchange: Exchange
) -> None:
    """The probe received exactly ``payload`` (by length and SHA-256)."""
    digest = hashlib.sha256(payload).hexdigest()
    require(
        record.body_sha256 == digest and record.body_length == len(payload),
        behaviour,
        expected=f"the model received {len(payload)} bytes, sha256 {digest[:16]}…",
        observed=f"{record.body_length} bytes, sha256 {str(record.body_sha256)[:16]}…",
        exchange=exchange,
    )


def require_reported_failed(invocation: Invocation, behaviour: str, *, what: str) -> None:
    """No output for ``invocation``, and a failure: a failure object or an error
    notification (a target without S3FailurePath reports through the ErrorTopic)."""
    outcome = invocation.outcome
    failed_notification = any(
        (n.message or {}).get("invocationStatus") == "Failed" for n in invocation.notifications
    )
    kind = outcome.kind if outcome else "none (not accepted)"
    checks = Checks()
    checks.require(
        outcome is not None and outcome.output is None,
        behaviour,
        expected=f"no output object for {what}",
        observed=f"outcome {kind}",
        exchange=invocation.exchange,
        observations=invocation.evidence(),
    )
    checks.require(
        outcome is not None and (outcome.failure is not None or failed_notification),
        behaviour,
        expected=f"{what} reported as a failure (failure object or error notification)",
        observed=f"outcome {kind}, {len(invocation.notifications)} notifications",
        exchange=invocation.exchange,
        observations=invocation.evidence(),
    )
    checks.done()


def witness_history(
    session: ConformanceSession, checks: Checks | None = None
) -> tuple[ProbeRecord, Exchange, Outcome] | None:
    """Run one more probe request; its record's history lists what the model processed.

    A witness that does not complete is the target's failure: raised, or, with
    ``checks``, recorded there (and None returned) so the verdicts found so far stay.
    """
    exchange = session.invoke_probe(probe_payload(tag=new_tag("witness")))
    try:
        outcome, record = require_completed(session, exchange, purpose="witness request")
    except ContractViolation as violation:
        if checks is None:
            raise
        record_violation(checks, violation)
        return None
    return record, exchange, outcome


def announced_under(uri: str | None, prefix: str | None) -> bool:
    location = parse_location(uri)
    return bool(location and prefix and location.is_under(prefix))


def evidence_of(*items: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Outcome):
            out.extend(item.to_evidence())
        elif isinstance(item, dict):
            out.append(item)
        elif isinstance(item, Iterable):
            out.extend(evidence_of(*item))
    return out
