"""Under pytest-xdist: the workers judge, the controller writes the results document.

Verdicts travel from a worker to the controller on each test report; the seed goes
to every worker when it starts; what a worker learnt about the target comes back
when it stops.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest

from conformance.run_state import BehaviourOutcome, RunState, run_state


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def worker_seed(config: pytest.Config) -> Any:
    """On a worker: the controller's seed (None when not under xdist)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput and "conformance_seed" in workerinput:
        return workerinput["conformance_seed"]
    return None


def attach_verdicts(
    report: pytest.TestReport, state: RunState, *, recorded: int, advised: int
) -> None:
    """On a worker: the verdicts judged since ``recorded``/``advised`` ride on the report."""
    report.conformance_outcomes = [asdict(o) for o in state.outcomes[recorded:]]  # type: ignore[attr-defined]
    report.conformance_advisories = state.advisories[advised:]  # type: ignore[attr-defined]


class WorkerVerdicts:
    """On the xdist controller: collects the verdicts the workers judged."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcomes = getattr(report, "conformance_outcomes", None)
        if outcomes is None:
            return
        state = run_state(self._config)
        state.outcomes.extend(BehaviourOutcome(**o) for o in outcomes)
        state.advisories.extend(getattr(report, "conformance_advisories", None) or [])


def send_seed(node: Any) -> None:
    """xdist controller: every worker runs this run's seed."""
    node.workerinput["conformance_seed"] = run_state(node.config).seed


def receive_worker_info(node: Any) -> None:
    """xdist controller: what a worker learnt about the target, for the document."""
    info = getattr(node, "workeroutput", {}).get("conformance")
    if not info:
        return
    state = run_state(node.config)
    if info.get("target") and state.worker_target is None:
        state.worker_target = info["target"]
    state.worker_invocations += int(info.get("invocations") or 0)


def send_worker_info(config: pytest.Config, state: RunState) -> None:
    """xdist worker: hand the controller the target as this worker resolved it."""
    described: dict[str, Any] | None = None
    if state.target is not None:
        described = state.target.describe()
        if state.async_config is not None:
            described["async_config"] = state.async_config.describe()
            described["instance_count"] = state.async_config.instance_count
        described["embedded"] = state.target.embedded
    invocations = state.session.invoker.sent if state.session is not None else 0
    config.workeroutput["conformance"] = {  # type: ignore[attr-defined]
        "target": described,
        "invocations": invocations,
    }
