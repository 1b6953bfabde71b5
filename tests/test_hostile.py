"""Hostile targets: the suite finishes in time, never crashes, never hangs, and records
each target as `fail` or `error` with a message that says what happened.

HTTP-level hostiles (`hostile.servers`) are real loopback servers; the outcome-level
ones (`hostile.targets`) are reference mutants. They all run at once, each against
the shared stack's control plane and S3, with a 5 s outcome deadline (a user option).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import targets
from hostile.servers import HostileServer
from mutants.runner import WHOLE_SUITE, SharedStack, SuiteRun, check, run_all, run_suite

OPTIONS = ("--outcome-deadline", "5")
# What a run may cost at most (wall seconds, all targets in parallel on 2 busy cores).
BUDGET = 300.0
# Outcome-level hostiles make every outcome wait run to its deadline, one check after
# another; the checks judging the answer and the outcomes are what shows them.
OUTCOME_CHECKS = (*check("test_wire"), *check("test_output"), *check("test_failure"))


@dataclass(frozen=True)
class Hostile:
    name: str
    selection: tuple[str, ...]
    behaviour: str  # the behaviour whose verdict must say what happened
    status: str  # fail or error
    says: str  # a regular expression the verdict's message matches
    server: str | None = None
    parts: Callable[[], object] | None = None
    nothing_passes: bool = False


HOSTILES: tuple[Hostile, ...] = (
    # Hanging and resetting are the target's faults: `fail`, never a harness error.
    Hostile("never-answers", WHOLE_SUITE, "IEA-WIRE-001", "fail",
            r"did not (?:finish its )?answer within \d+ s", server="hang",
            nothing_passes=True),
    Hostile("answers-500", WHOLE_SUITE, "IEA-WIRE-001", "fail", r"observed: status 500",
            server="status-500"),
    Hostile("resets-connections", WHOLE_SUITE, "IEA-WIRE-001", "fail",
            r"closed the connection without an answer", server="reset", nothing_passes=True),
    Hostile("invalid-json", OUTCOME_CHECKS, "IEA-WIRE-002", "fail",
            r"InferenceId.*\n.*observed: body b'\{\"InferenceId\": \"unterminated",
            server="invalid-json"),
    Hostile("50-mb-body", OUTCOME_CHECKS, "IEA-WIRE-002", "fail", r"observed: body b'\s+",
            server="huge-body"),
    # 200 with a non-JSON body and no location: nothing may pass vacuously.
    Hostile("garbage-200", OUTCOME_CHECKS, "IEA-WIRE-001", "fail", r"observed: status 200",
            server="garbage-200", nothing_passes=True),
    Hostile("output-in-another-bucket", OUTCOME_CHECKS, "IEA-OUT-001", "fail",
            r"OutputLocation 's3://conformance-hostile-elsewhere/", parts=targets.another_bucket),
    Hostile("writes-no-outcome", OUTCOME_CHECKS, "IEA-OUT-003", "fail",
            r"observed: none after", parts=targets.writes_nothing),
)


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SuiteRun]]:
    workdir: Path = tmp_path_factory.mktemp("hostile")
    stack = SharedStack().start()
    try:
        with ExitStack() as servers:
            jobs: dict[str, Callable[[], SuiteRun]] = {}
            for hostile in HOSTILES:
                if hostile.server is not None:
                    server = HostileServer(hostile.server)
                    url = server.start()
                    servers.callback(server.stop)
                    env = stack.env(url)
                    jobs[hostile.name] = lambda h=hostile, e=env: run_suite(
                        h.name, e, h.selection, workdir=workdir, timeout=BUDGET, extra=OPTIONS
                    )
                else:
                    assert hostile.parts is not None
                    jobs[hostile.name] = lambda h=hostile: stack.run(
                        h.name, h.parts(), h.selection,  # type: ignore[misc,arg-type]
                        workdir=workdir, timeout=BUDGET, options=OPTIONS,
                    )
            began = time.monotonic()
            runs = run_all(jobs, parallel=len(jobs))
            assert time.monotonic() - began < BUDGET + 30
            yield runs
    finally:
        stack.stop()


@pytest.mark.slow
@pytest.mark.parametrize("hostile", HOSTILES, ids=[h.name for h in HOSTILES])
def test_a_hostile_target_is_recorded_as_failing(
    hostile: Hostile, hostile_runs: dict[str, SuiteRun]
) -> None:
    run = hostile_runs[hostile.name]
    # 1 = tests failed; anything else (interrupted, internal error, usage error, our
    # timeout -1) means the suite crashed or hung.
    assert run.returncode == 1 and run.document, run.describe()
    assert run.seconds < BUDGET, run.describe()
    status = run.status(hostile.behaviour)
    messages = "\n".join(run.messages(hostile.behaviour))
    assert status == hostile.status, run.describe()
    assert re.search(hostile.says, messages), (
        f"{hostile.behaviour}'s messages do not say what happened "
        f"(looked for {hostile.says!r}):\n{messages[:2000]}"
    )
    if hostile.nothing_passes:
        assert run.with_status("pass") == [], run.describe()
    else:
        assert run.with_status("fail", "error"), run.describe()
