"""wait_for_endpoint: bounded polling with progress, on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance_deploy.errors import DeployError
from conformance_deploy.wait import wait_for_endpoint


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _statuses(*answers: dict) -> Iterator[dict]:
    yield from answers
    while True:
        yield answers[-1]


def _wait(answers: Iterator[dict], clock: FakeClock, lines: list[str], timeout: float = 600):
    return wait_for_endpoint(
        lambda: next(answers),
        name="ep",
        timeout=timeout,
        interval=15,
        out=lines.append,
        clock=clock,
        sleep=clock.sleep,
    )


def test_waits_through_creating_and_reports_progress():
    clock, lines = FakeClock(), []
    creating = [{"EndpointStatus": "Creating"}] * 10
    status = _wait(_statuses(*creating, {"EndpointStatus": "InService"}), clock, lines)
    assert status == "InService"
    assert clock.sleeps == [15] * 10
    # One line for the first status, one heartbeat a minute, one at the end.
    assert lines[0].startswith("  endpoint ep: Creating (0:00 elapsed")
    assert sum("Creating" in line for line in lines) == 3
    assert lines[-1] == "  endpoint ep: InService (2:30 elapsed)"


def test_a_failed_endpoint_is_a_usage_error_with_its_reason():
    clock, lines = FakeClock(), []
    answers = _statuses(
        {"EndpointStatus": "Creating"},
        {"EndpointStatus": "Failed", "FailureReason": "Image cannot be pulled"},
    )
    with pytest.raises(DeployError, match="Failed: Image cannot be pulled") as caught:
        _wait(answers, clock, lines)
    assert caught.value.exit_code == 2


def test_the_deadline_bounds_the_wait():
    clock, lines = FakeClock(), []
    with pytest.raises(DeployError, match="still Creating after 100 s") as caught:
        _wait(_statuses({"EndpointStatus": "Creating"}), clock, lines, timeout=100)
    assert caught.value.exit_code == 1
    assert clock.now == 100  # the last sleep is cut to the deadline
    assert len(clock.sleeps) == 7


def test_a_deleting_endpoint_is_not_waited_for():
    with pytest.raises(DeployError, match="being deleted"):
        _wait(_statuses({"EndpointStatus": "Deleting"}), FakeClock(), [])
