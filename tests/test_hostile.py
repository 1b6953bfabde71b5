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

from reports.render import write_artefacts
from reports.results import Results
from reports.schema import validation_errors

OPTIONS = ("--outcome-deadline", "5")
# What a run may cost at most (wall seconds, all targets in parallel on 2 busy cores).
BUDGET = 300.0
# Outcome-level hostiles make every outcome wait run to its deadline, one check after
# another; the checks judging the answer and the outcomes are what shows them.
OUTCOME_CHECKS = (*check("test_wire"), *check("test_output"), *check("test_failure"))
# What a truncated output shows in: the output's bytes, probe records cut mid-string
# (CustomAttributes full of quotes and backslashes: issue 14's backtracking case) and
# the 128 kB NUL body whose evidence once put raw NULs into report.html.
TRUNCATION_CHECKS = (
    *check("test_output", "test_the_output_holds_exactly_what_the_model_returned"),
    *check("test_headers", "test_custom_attributes_reach_the_model_verbatim"),
    *check("test_inline_body"),
)
# No report line may come near the 512,035-character line of issue 14.
LONGEST_LINE = 50_000


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
    # The answer starts, then breaks: reset after part of the body, a byte every half
    # second (the exchange's deadline, not the socket's read timeout, ends it), or a
    # Content-Length promising more than is sent. The wire checks show it (the whole
    # suite against each is in benchmarks/hostile_runs.py).
    Hostile("reset-mid-body", check("test_wire"), "IEA-WIRE-001", "fail",
            r"broke the HTTP exchange", server="reset-mid-body", nothing_passes=True),
    Hostile("slow-drip", check("test_wire"), "IEA-WIRE-001", "fail",
            r"did not finish its answer within \d+ s \(\d+ body bytes by then\)",
            server="slow-drip", nothing_passes=True),
    Hostile("wrong-content-length", check("test_wire"), "IEA-WIRE-001", "fail",
            r"broke the HTTP exchange", server="wrong-length", nothing_passes=True),
    # The single-fault mutant: every output cut to its first 1,000 bytes.
    Hostile("truncates-outputs", TRUNCATION_CHECKS, "IEA-OUT-004", "fail",
            r"\d+ bytes, different content", parts=targets.truncates_outputs),
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
    # `conformance run` reads the document only if it is valid (else exit 3), and then
    # exits 1 for not conformant; 3 would blame the harness.
    assert validation_errors(run.document) == [], run.describe()
    assert Results.from_dict(run.document).exit_code() == 1, run.describe()
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


@pytest.mark.slow
@pytest.mark.parametrize("hostile", HOSTILES, ids=[h.name for h in HOSTILES])
def test_a_hostile_target_s_evidence_stays_readable(
    hostile: Hostile, hostile_runs: dict[str, SuiteRun], tmp_path: Path
) -> None:
    """Large and binary values abbreviated in every artefact and on the terminal; the
    terminal shows verdicts, not library tracebacks."""
    run = hostile_runs[hostile.name]
    assert run.document, run.describe()
    paths = write_artefacts(Results.from_dict(run.document), tmp_path)
    artefacts = {key: path.read_bytes() for key, path in paths.items()}
    for key, content in artefacts.items():
        assert b"\x00" not in content and b"\\u0000" not in content, f"raw NUL in {key}"
    for key in ("json", "junit", "markdown"):
        longest = max(len(line) for line in artefacts[key].splitlines())
        assert longest <= LONGEST_LINE, f"{key} has a line of {longest} characters"
    assert run.longest_line <= LONGEST_LINE, f"a terminal line of {run.longest_line} characters"
    assert run.library_traces == 0, f"library tracebacks on the terminal:\n{run.output[-3000:]}"
