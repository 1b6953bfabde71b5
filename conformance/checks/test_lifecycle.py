"""The lifecycle as a state machine: invoke, poll, outcome, with invariants.

Hypothesis chooses sequences of successful and failing invocations (and when to
settle them); after every settle the invariants must hold for every request seen
so far: exactly one outcome each, locations unique and under the configured paths,
the InferenceId the same in the response, the outcome and the notification, and
the output bytes exactly the probe's answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.checks.support import accepted, announced_under
from conformance.client import Exchange
from conformance.depth import examples
from conformance.observe import Outcome
from conformance.probe import new_tag, parse_probe_record, probe_payload, sized_answer
from conformance.session import ConformanceSession
from conformance.violations import Checks

pytestmark = pytest.mark.needs_probe


@dataclass
class Tracked:
    tag: str
    fails: bool
    size: int | None
    exchange: Exchange
    outcome: Outcome | None = None


class Lifecycle(RuleBasedStateMachine):
    session: ConformanceSession

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Tracked] = []
        self.settled: list[Tracked] = []
        config = self.session.async_config
        self.can_fail = bool(config and config.s3_failure_path)

    @rule(size=st.none() | st.integers(0, 4096), inline=st.booleans())
    def invoke_succeeding(self, size: int | None, inline: bool) -> None:
        tag = new_tag("lifecycle")
        inline = inline and self.session.revision_has("2026")
        exchange = self.session.invoke_probe(
            probe_payload(tag=tag, body_bytes=size), inline=inline
        )
        self._track(Tracked(tag, False, size, exchange))

    @precondition(lambda self: self.can_fail)
    @rule(status=st.sampled_from([400, 500, 503]))
    def invoke_failing(self, status: int) -> None:
        tag = new_tag("lifecycle-fail")
        exchange = self.session.invoke_probe(probe_payload(tag=tag, status=status))
        self._track(Tracked(tag, True, None, exchange))

    def _track(self, tracked: Tracked) -> None:
        checks = Checks()
        checks.require(
            accepted(tracked.exchange),
            "IEA-WIRE-001",
            expected="a valid request accepted",
            observed=f"status {tracked.exchange.status}",
            exchange=tracked.exchange,
        )
        checks.done()
        self.pending.append(tracked)

    @rule()
    def settle(self) -> None:
        if not self.pending:
            return
        outcomes = self.session.wait_for_outcomes([t.exchange for t in self.pending])
        for tracked, outcome in zip(self.pending, outcomes, strict=True):
            tracked.outcome = outcome
        self.settled.extend(self.pending)
        self.pending = []
        self._judge()

    def teardown(self) -> None:
        self.settle()

    @invariant()
    def locations_are_unique_and_under_the_configured_paths(self) -> None:
        config = self.session.async_config
        assert config is not None
        checks = Checks()
        seen: dict[str, str] = {}
        for tracked in [*self.settled, *self.pending]:
            location = tracked.exchange.output_location or ""
            checks.require(
                location not in seen,
                "IEA-OUT-002",
                expected="an OutputLocation of its own for every request",
                observed=f"{location} announced for {seen.get(location)} and {tracked.tag}",
                exchange=tracked.exchange,
            )
            seen[location] = tracked.tag
            checks.require(
                announced_under(location, config.s3_output_path),
                "IEA-OUT-001",
                expected=f"OutputLocation under {config.s3_output_path}",
                observed=f"OutputLocation {location!r}",
                exchange=tracked.exchange,
            )
        checks.done()

    def _judge(self) -> None:
        checks = Checks()
        for tracked in self.settled:
            outcome = tracked.outcome
            assert outcome is not None
            evidence = outcome.to_evidence()
            checks.require(
                outcome.kind in {"output", "failure"},
                "IEA-OUT-003",
                expected="exactly one outcome",
                observed=outcome.kind,
                exchange=tracked.exchange,
                observations=evidence,
            )
            if tracked.fails:
                if outcome.kind != "none":  # nothing at all is OUT-003's, not a FAIL-002 pass
                    checks.require(
                        outcome.output is None,
                        "IEA-FAIL-002",
                        expected="no output for a failing model",
                        observed=f"outcome {outcome.kind}",
                        exchange=tracked.exchange,
                        observations=evidence,
                    )
                continue
            if outcome.output is None:
                checks.require(
                    False,
                    "IEA-OUT-004",
                    expected="the probe's answer in the output object",
                    observed=f"outcome {outcome.kind}",
                    exchange=tracked.exchange,
                    observations=evidence,
                )
                continue
            if tracked.size is not None:
                checks.require(
                    outcome.output.body == sized_answer(tracked.size),
                    "IEA-OUT-004",
                    expected=f"the probe's {tracked.size}-byte answer",
                    observed=f"{outcome.output.size} bytes",
                    exchange=tracked.exchange,
                    observations=evidence,
                )
            else:
                record = parse_probe_record(outcome.output.body)
                checks.require(
                    record is not None and record.tag == tracked.tag,
                    "IEA-OUT-004",
                    expected=f"the probe record for {tracked.tag}",
                    observed="another request's record" if record else "not a probe record",
                    exchange=tracked.exchange,
                    observations=evidence,
                )
            inbox = self.session.inbox
            if inbox is not None and tracked.exchange.inference_id:
                messages = inbox.wait_for(
                    tracked.exchange.inference_id, deadline=self.session.outcome_deadline
                )
                ids = {(m.message or {}).get("inferenceId") for m in messages}
                checks.require(
                    bool(messages) and ids == {tracked.exchange.inference_id},
                    "IEA-NOTIF-005",
                    expected=f"notifications carrying inferenceId {tracked.exchange.inference_id}",
                    observed=f"{len(messages)} messages with inferenceIds {sorted(map(str, ids))}",
                    exchange=tracked.exchange,
                )
        checks.done()


@pytest.mark.behaviour(
    "IEA-OUT-001", "IEA-OUT-002", "IEA-OUT-003", "IEA-OUT-004", "IEA-FAIL-002", "IEA-NOTIF-005"
)
def test_the_request_lifecycle_keeps_its_invariants(
    conformance_session: ConformanceSession,
) -> None:
    Lifecycle.session = conformance_session
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=examples("stateful"),
            stateful_step_count=examples("steps"),
            deadline=None,
            database=None,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
        ),
    )
