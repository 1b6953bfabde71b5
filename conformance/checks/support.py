"""Small helpers the checks share: acceptance, outcomes, probe records, witnesses."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from conformance.client import Exchange
from conformance.judge import Checks, ContractViolation, require
from conformance.observe import Outcome, parse_location
from conformance.probe import ProbeRecord, new_tag, parse_probe_record, probe_payload
from conformance.session import ConformanceSession

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


def witness_history(session: ConformanceSession) -> tuple[ProbeRecord, Exchange, Outcome]:
    """Run one more probe request; its record's history lists what the model processed."""
    exchange = session.invoke_probe(probe_payload(tag=new_tag("witness")))
    require_accepted(exchange, purpose="witness request")
    outcome = session.wait_for_outcome(exchange)
    record = probe_record(outcome)
    if record is None:
        from conformance.client import HarnessError

        raise HarnessError(
            "the witness request produced no probe record "
            f"(outcome {outcome.kind}); is the endpoint's model the probe? (--no-probe)"
        )
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
