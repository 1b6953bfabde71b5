"""deadline_wait: every wait is bounded by its deadline, on a fake clock."""

from __future__ import annotations

import pytest

from deadline_wait import DeadlineExceeded, wait_for, wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_value_comes_back_once_the_condition_holds_and_sleeps_grow_to_the_cap() -> None:
    clock, answers = FakeClock(), iter([None, None, None, None, "ready"])
    value = wait_for(lambda: next(answers), timeout=10, what="x", interval=0.1, max_interval=0.3,
                     clock=clock, sleep=clock.sleep)  # fmt: skip
    assert value == "ready"
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.3, 0.3])


def test_the_deadline_ends_the_wait_and_never_oversleeps() -> None:
    clock, calls = FakeClock(), []
    with pytest.raises(DeadlineExceeded, match="waiting for the moon") as raised:
        wait_for(lambda: calls.append(clock.now), timeout=1.0, what="the moon", interval=0.4,
                 growth=1.0, clock=clock, sleep=clock.sleep)  # fmt: skip
    assert isinstance(raised.value, TimeoutError)
    assert clock.now == pytest.approx(1.0) and calls[0] == 0.0
    assert clock.sleeps == pytest.approx([0.4, 0.4, 0.2])


def test_a_yes_no_wait_answers_false_at_the_deadline() -> None:
    assert wait_until(lambda: True, timeout=0) is True
    assert wait_until(lambda: False, timeout=0) is False
