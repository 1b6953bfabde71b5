"""Small helpers the checks share: acceptance, outcomes, probe records, witnesses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance.client import Exchange
from conformance.judge import ContractViolation, require
from conformance.observe import Outcome, parse_location
from conformance.probe import ProbeRecord, new_tag, parse_probe_record, probe_payload
from conformance.session import ConformanceSession


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
