"""Outcome plans sent early and judged later (conformance.overlap), against the embedded
reference with a pickup delay: the window holds, the smallest failing example is the
one reported with its own evidence, errors of sending are raised by the check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import strategies as st

from conformance.client import Exchange, HarnessError
from conformance.observe import Outcome
from conformance.overlap import OutcomePlan, Overlap, Values
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.target import resolve_target
from conformance.violations import ContractViolation, require
from reference.stack import EmbeddedStack

PICKUP_DELAY = 0.3


@pytest.fixture(scope="module")
def stack() -> Iterator[EmbeddedStack]:
    stack = EmbeddedStack(clock_scale=0.05, pickup_delay=PICKUP_DELAY)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def session(stack: EmbeddedStack) -> Iterator[ConformanceSession]:
    assert stack.settings is not None
    env = stack.settings.env
    session = ConformanceSession(
        resolve_target({"clock_scale": 0.05}, env, embedded_env=env), credentials_env=env
    )
    session.preflight()
    try:
        yield session
    finally:
        session.close()


def _send(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke_probe(probe_payload(tag=new_tag("overlap")))


def _judge_small_numbers(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    require(
        outcome.output is not None and values["n"] < 3,
        "IEA-OUT-005",
        expected="an output, and n below 3 (the test's own rule)",
        observed=f"outcome {outcome.kind}, n={values['n']}",
        exchange=exchange,
        observations=outcome.to_evidence(),
    )


def test_the_delay_knob_reaches_the_service_and_outcomes_still_land(
    stack: EmbeddedStack, session: ConformanceSession
) -> None:
    assert stack.service is not None and stack.service.pickup_delay == PICKUP_DELAY
    [outcome] = session.wait_for_outcomes([_send(session, {})])
    assert outcome.kind == "output"


def test_the_window_holds_and_the_smallest_failing_example_is_reported(
    session: ConformanceSession,
) -> None:
    plan = OutcomePlan(
        "numbers",
        fixed=lambda s: [{"n": n} for n in (0, 12, 1, 3, 2, 100)],
        send=_send,
        judge=_judge_small_numbers,
    )
    overlap = Overlap(session, window=2)
    try:
        with pytest.raises(ContractViolation) as caught:
            overlap.judge(plan)
    finally:
        overlap.shutdown()
    assert overlap.peak_in_flight <= 2
    violation = caught.value
    assert "n=3" in violation.observed  # the smallest of 12, 3 and 100, not the first sent
    assert violation.exchange is not None and violation.observations
    notes = "\n".join(getattr(violation, "__notes__", []))
    assert "Falsifying example: numbers(" in notes and "n=3," in notes
    assert "3 of them failed" in notes


def test_drawn_examples_are_all_judged_and_an_error_sending_is_raised(
    session: ConformanceSession,
) -> None:
    judged: list[Values] = []

    def judge(s: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome) -> None:
        judged.append(values)

    drawn = OutcomePlan(
        "drawn", strategies=lambda s: {"k": st.integers(0, 10)}, send=_send, judge=judge
    )

    def broken(s: ConformanceSession, values: Values) -> Exchange:
        raise HarnessError("the test's broken send")

    overlap = Overlap(session)
    try:
        overlap.start([drawn])
        overlap.judge(drawn)
        with pytest.raises(HarnessError, match="broken send"):
            overlap.judge(OutcomePlan("broken", send=broken, judge=judge))
    finally:
        overlap.shutdown()
    assert len(judged) == len(drawn.draw(session)) >= 1
    assert all(isinstance(v["k"], int) for v in judged)
