"""The suite kills every mutant: each run of the selection that judges a broken
behaviour reports that behaviour `fail`, and the reference passes the same checks.

All mutants run at once against one shared stack (one moto, one probe, a service
per mutant), at quick depth; the mutation score is printed in the terminal summary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mutants import MUTANTS, Mutant
from mutants.mutant import checks_citing
from mutants.runner import ROOT, WHOLE_SUITE, SharedStack, SuiteRun, run_all

from reference.parts import DEFAULT_PARTS

log = logging.getLogger(__name__)
REFERENCE = "reference"
# A mutant breaks its behaviour by writing nothing or elsewhere, and an absence is only
# proven at the outcome deadline: a shorter one than the default 30 s keeps those runs
# short. The reference is held to the same deadline.
OPTIONS = ("--outcome-deadline", "10")


@dataclass
class MutationScore:
    """Collected by the runs fixture; printed by pytest's terminal summary."""

    verdicts: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.verdicts:
            return
        killed = [n for n, (_, status, _) in self.verdicts.items() if status == "fail"]
        total = len(self.verdicts)
        reporter = terminalreporter
        reporter.section("mutation score")
        reporter.line(
            f"killed {len(killed)}/{total} mutants ({100 * len(killed) / total:.0f}%) "
            f"in {self.seconds:.0f} s"
        )
        for name, (behaviour, status, seconds) in self.verdicts.items():
            verdict = "killed  " if status == "fail" else "SURVIVED"
            reporter.line(f"  {verdict} {name} ({behaviour}: {status}, {seconds:.1f} s)")


SCORE = MutationScore()


def _selected(request: pytest.FixtureRequest) -> list[Mutant]:
    names = {
        item.callspec.params["mutant"].name
        for item in request.session.items
        if hasattr(item, "callspec") and "mutant" in item.callspec.params
    }
    return [m for m in MUTANTS if m.name in names]


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SuiteRun]]:
    """Every selected mutant's run and the reference's whole-suite run, in parallel."""
    mutants = _selected(request)
    # Derived from one collection of the suite, here, before the runs start in threads.
    selections = {m.name: m.selection for m in mutants}
    workdir: Path = tmp_path_factory.mktemp("mutants")
    began = time.monotonic()
    stack = SharedStack().start()
    try:
        jobs = {
            REFERENCE: lambda: stack.run(
                REFERENCE, DEFAULT_PARTS, WHOLE_SUITE, workdir=workdir, options=OPTIONS
            )
        }
        for mutant in mutants:
            jobs[mutant.name] = lambda m=mutant: stack.run(
                m.name, m.parts(), selections[m.name], workdir=workdir, options=OPTIONS
            )
        results = run_all(jobs)
    finally:
        stack.stop()
    SCORE.seconds = time.monotonic() - began
    for mutant in mutants:
        run = results[mutant.name]
        SCORE.verdicts[mutant.name] = (mutant.behaviour, run.status(mutant.behaviour), run.seconds)
    if not request.config.pluginmanager.has_plugin("mutation-score"):
        request.config.pluginmanager.register(SCORE, "mutation-score")
    killed = sum(1 for _, status, _ in SCORE.verdicts.values() if status == "fail")
    log.warning("mutation score: killed %d/%d in %.0f s", killed, len(mutants), SCORE.seconds)
    yield results


def _param(mutant: Mutant) -> Any:
    marks = []
    if mutant.survives:
        marks.append(pytest.mark.xfail(reason=mutant.survives, strict=True))
    return pytest.param(mutant, id=mutant.name, marks=marks)


@pytest.mark.slow
@pytest.mark.parametrize("mutant", [_param(m) for m in MUTANTS])
def test_the_suite_kills_the_mutant(mutant: Mutant, runs: dict[str, SuiteRun]) -> None:
    run = runs[mutant.name]
    status = run.status(mutant.behaviour)
    assert status == "fail", (
        f"mutant {mutant.name} survived: {mutant.behaviour} is {status!r}, expected 'fail'\n"
        + run.describe()
    )
    reference = runs[REFERENCE]
    judged = {*run.judged(), mutant.behaviour}
    not_passed = {b: reference.status(b) for b in sorted(judged) if reference.status(b) != "pass"}
    assert not not_passed, (
        f"the reference does not pass what {mutant.name}'s selection judges: {not_passed}\n"
        + reference.describe()
    )


def test_each_mutant_runs_one_check_citing_its_behaviour() -> None:
    # The selection is derived from the checks' markers, not written beside the mutant.
    cited = checks_citing()
    for mutant in MUTANTS:
        (selected,) = mutant.selection
        citing = {str(ROOT / nodeid) for nodeid, _ in cited[mutant.behaviour]}
        assert selected in citing, (mutant.name, selected)


def test_every_must_has_a_mutant() -> None:
    from spec.catalogue import OPT_IN_PROFILES, load_catalogue

    # Opt-in profiles (the real clients) have their mutants in their own tests
    # (tests/test_clients_profile.py), where the clients are installed.
    musts = {
        b.id
        for b in load_catalogue()
        if b.level == "MUST" and b.profile not in OPT_IN_PROFILES
    }
    assert musts - {m.behaviour for m in MUTANTS} == set()
