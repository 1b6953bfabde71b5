"""No false alarms: conforming variants of the reference pass the whole suite.

Each variant differs from the reference only where the contract leaves room
(`mutants.variants`). Variants replacing different parts are composed into a few
targets (`VARIANT_GROUPS`) to keep CI short; CONFORMANCE_VARIANTS_ALONE=1 runs
every variant as its own target instead. Every target runs the whole suite at
quick depth, all at once, against one shared stack.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutants.runner import WHOLE_SUITE, SharedStack, SuiteRun, run_all
from mutants.variants import VARIANT_GROUPS, VARIANTS, compose

from spec.catalogue import OPT_IN_PROFILES, load_catalogue

ALONE = os.environ.get("CONFORMANCE_VARIANTS_ALONE") == "1"
TARGETS: tuple[tuple[str, ...], ...] = (
    tuple((v.name,) for v in VARIANTS) if ALONE else VARIANT_GROUPS
)
LEVELS = {b.id: b.level for b in load_catalogue()}
PROFILE_OF = {b.id: b.profile for b in load_catalogue()}


def _name(group: tuple[str, ...]) -> str:
    return "+".join(group)


def _param(group: tuple[str, ...]) -> object:
    alarms = [v.false_alarm for v in VARIANTS if v.name in group and v.false_alarm]
    marks = [pytest.mark.xfail(reason="; ".join(alarms), strict=True)] if alarms else []
    return pytest.param(group, id=_name(group), marks=marks)


@pytest.fixture(scope="module")
def variant_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SuiteRun]]:
    workdir: Path = tmp_path_factory.mktemp("variants")
    stack = SharedStack().start()
    try:
        jobs = {
            _name(group): lambda g=group: stack.run(
                _name(g), compose(*g)[0], WHOLE_SUITE, workdir=workdir
            )
            for group in TARGETS
        }
        yield run_all(jobs)
    finally:
        stack.stop()


def test_every_variant_is_run() -> None:
    grouped = [name for group in VARIANT_GROUPS for name in group]
    assert sorted(grouped) == sorted(v.name for v in VARIANTS)


@pytest.mark.slow
@pytest.mark.parametrize("group", [_param(g) for g in TARGETS])
def test_a_conforming_variant_passes_the_whole_suite(
    group: tuple[str, ...], variant_runs: dict[str, SuiteRun]
) -> None:
    run = variant_runs[_name(group)]
    _, may_differ = compose(*group)
    broken = {
        b: s
        for b, s in run.statuses().items()
        if s in {"fail", "error"} and not (LEVELS[b] != "MUST" and b in may_differ)
    }
    assert run.returncode == 0 and not broken, (
        f"variant(s) {', '.join(group)} raised a false alarm: {broken}\n" + run.describe()
    )
    # Opt-in profiles (the real clients) are not claimed by a plain run.
    untested = {
        b
        for b in run.with_status("untested", "skip")
        if LEVELS[b] == "MUST" and PROFILE_OF[b] not in OPT_IN_PROFILES
    }
    assert not untested, f"MUSTs not judged against {_name(group)}: {sorted(untested)}"
