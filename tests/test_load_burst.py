"""`conformance load` end to end: small Locust bursts against the embedded reference
(loopback, started here): it passes; a SIGKILL of its service process mid-burst and a
restart lose nothing; dispatch mutants only a burst notices are judged.

The 1-in-1,000 versions need 1,000+ requests; here one mutant drops 1 in 40 and runs
another 1 in 40 twice in an 80-request burst, so the test stays within the CI budget
(tox -e load runs the 10,000-request bursts).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

from conformance.load.direct import measure
from reference.jobs import Job, JobState, Outcome
from reference.parts import DEFAULT_PARTS
from reference.parts.dispatch import Enqueue

BURST = {"count": 80, "users": 8, "budget": 90.0, "max_concurrency": 4, "settle": 30.0}
KILL = "kill -KILL $(cat $CONFORMANCE_SERVICE_PIDFILE)"


@dataclass
class DropsAndRunsTwice:
    """Every 40th job is never queued (as DropsOneIn) and every 40th, 20 later, is
    queued twice (as RunsOneInTwice): both faults in one burst."""

    _seen: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def dispatch(self, job: Job, enqueue: Enqueue) -> Outcome | None:
        n = next(self._seen)
        if n % 40 == 0:
            return None
        await enqueue(job)
        if n % 40 == 20:
            await enqueue(dataclasses.replace(job, state=JobState.QUEUED))
        return None


def test_the_reference_passes_a_burst_of_every_kind() -> None:
    got = measure(**BURST, mix="s3=5,inline=1,named=1,model-error=1,ttl=1,invalid=1")
    assert got.figures["accepted"] == 80
    assert got.statuses() == {
        "IEA-LOAD-001": "pass", "IEA-LOAD-002": "pass", "IEA-LOAD-003": "pass",
        "IEA-LOAD-004": "pass", "IEA-LOAD-005": "pass", "IEA-LOAD-006": "pass",
        "IEA-LOAD-007": "untested", "IEA-LOAD-008": "untested",
    }, got.figures["findings"]
    assert got.findings["IEA-LOAD-001"].counts["lost"] == 0
    assert got.findings["IEA-LOAD-001"].counts["failures"] >= 1  # the model errors
    assert got.figures["rejected"] >= 1  # the invalid share


def test_a_sigkill_of_the_service_mid_burst_loses_nothing() -> None:
    got = measure(**{**BURST, "count": 100}, service_process=True, visibility=3.0,
                  quiet=6.0, fault_command=KILL, fault_at=1.5)
    assert got.restarts == 1 and got.exit_codes == [-9]
    outcome = got.findings["IEA-LOAD-001"]
    assert outcome.passed, outcome.counts
    assert outcome.counts["accepted"] == 100 and outcome.counts["lost"] == 0
    assert got.findings["IEA-LOAD-003"].passed, got.findings["IEA-LOAD-003"].counts
    # at-least-once: re-runs of requests held at the kill are counted, not hidden
    assert "re_run_after_fault" in got.findings["IEA-LOAD-003"].counts
    assert got.figures["faults"][0]["returncode"] == 0


def test_dropped_and_twice_run_dispatches_are_judged() -> None:
    # Dropped requests never land: the wait for them runs to its (short) deadline.
    got = measure(**{**BURST, "settle": 10.0},
                  parts=dataclasses.replace(DEFAULT_PARTS, dispatcher=DropsAndRunsTwice()))
    outcome, twice = got.findings["IEA-LOAD-001"], got.findings["IEA-LOAD-003"]
    assert outcome.passed is False and outcome.counts["lost"] == 2
    # Quiet before judging: a copy run after the first outcome landed is seen too.
    assert twice.passed is False and twice.counts["duplicated"] == 2


def test_a_non_positive_count_or_zero_capacity_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    from conformance_cli.main import main

    assert main(["load", "--count", "0"]) == 2
    assert "--count" in capsys.readouterr().err
    assert main(["load", "--max-concurrency", "0"]) == 2
    assert "zero capacity" in capsys.readouterr().err
