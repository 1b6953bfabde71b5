"""A partial run (``-k``, ``--behaviour``/``--area``, ``--profiles``, node ids) says what it
judged and what it did not run, exits about the judged part only, and every artefact
marks it partial. Driven with pytester (checks that judge nothing of a target) and the
renderers over the document it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.render import write_artefacts
from reports.render.terminal import verdict_lines
from reports.results import Results
from reports.schema import validation_errors

CHECKS = '''
import pytest
from conformance.violations import require


@pytest.mark.behaviour("IEA-ID-001")
def test_keeps_id_001():
    require(True, "IEA-ID-001", expected="echo", observed="echo")


@pytest.mark.behaviour("IEA-WIRE-001")
def test_breaks_wire_001():
    require(False, "IEA-WIRE-001", expected="status 202", observed="status 200")
'''

TARGET_OPTIONS = ("--endpoint-name", "e", "--input-s3", "s3://b/p", "-p", "no:randomly")


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, Results, Path]:
    pytester.makepyfile(test_checks=CHECKS)
    path = pytester.path / "results.json"
    outcome = pytester.runpytest_subprocess(
        *TARGET_OPTIONS, "--conformance-results-json", str(path), *args
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert validation_errors(document) == []
    return outcome, Results.from_dict(document), pytester.path / "report"


def test_a_run_narrowed_by_k_and_profiles_is_judged_on_what_it_ran(
    pytester: pytest.Pytester,
) -> None:
    outcome, results, report = _run(pytester, "-k", "keeps", "--profiles", "core")
    assert outcome.ret == 0
    selection = results.run.selection
    assert selection is not None and selection["partial"]
    assert "-k keeps" in selection["narrowed_by"]
    assert "validation" in selection["profiles_not_run"]
    assert any(n.startswith("--profiles core (not run: ") for n in selection["narrowed_by"])
    assert selection["tests"] == 1 and selection["deselected"] == 1
    summary = results.summary
    assert summary["partial"] is True
    assert summary["judged"] == ["IEA-ID-001"]
    assert "IEA-WIRE-001" in summary["not_run"] and "IEA-ID-001" not in summary["not_run"]
    # The judged part held: conformant about that part, exit 0, and said to be partial.
    assert results.conformant and results.exit_code() == 0
    assert summary["must"]["applicable"] == 1
    not_run = results.behaviour("IEA-WIRE-001")
    assert not_run.status == "untested" and "not run" in not_run.reason

    paths = write_artefacts(results, report)
    lines = "\n".join(verdict_lines(results, paths))
    assert "CONFORMANT (partial run)" in lines and "not run:" in lines
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "Conformant (partial run)" in markdown and "-k keeps" in markdown
    html = paths["html"].read_text(encoding="utf-8")
    assert 'id="partial"' in html and "Conformant (partial run)" in html
    badge = json.loads(paths["badge"].read_text(encoding="utf-8"))
    assert badge["message"] == "partial: 100% of 1 MUST judged" and badge["color"] == "blue"
    assert 'name="partial"' in paths["junit"].read_text(encoding="utf-8")


def test_a_partial_run_that_breaks_what_it_judged_is_not_conformant(
    pytester: pytest.Pytester,
) -> None:
    outcome, results, _ = _run(pytester, "--behaviour", "IEA-WIRE-001")
    assert outcome.ret == 1
    assert results.partial and "--behaviour IEA-WIRE-001" in results.run.selection["narrowed_by"]  # type: ignore[index]
    assert results.summary["judged"] == ["IEA-WIRE-001"]
    assert not results.conformant and results.exit_code() == 1
    assert results.summary["reasons"] == ["1 MUST behaviour failed: IEA-WIRE-001"]


def test_a_whole_run_has_no_selection() -> None:
    """The shipped fixtures are whole runs: no selection, no partial marks."""
    fixture = Path(__file__).parent / "fixtures" / "results-reference.json"
    results = Results.read_json(fixture)
    assert not results.partial and "partial" not in results.summary
    assert "partial" not in " ".join(verdict_lines(results))


def test_a_behaviour_a_selected_check_named_but_did_not_reach_is_not_run() -> None:
    from reports.records import BehaviourResult
    from reports.summary import summarize

    def result(behaviour_id: str, status: str) -> BehaviourResult:
        return BehaviourResult(
            behaviour_id, "MUST", "s", "2023", "core", "WIRE", "src", True, status
        )

    # --behaviour IEA-WIRE-005 selects the fuzz check, which also names IEA-VAL-001.
    behaviours = [result("IEA-WIRE-005", "pass"), result("IEA-VAL-001", "untested")]
    summary = summarize(
        behaviours, claimed_profiles=["core"], pytest_exit_code=0,
        selected=frozenset({"IEA-WIRE-005", "IEA-VAL-001"}),
    )  # fmt: skip
    assert summary["conformant"], summary["reasons"]
    assert summary["judged"] == ["IEA-WIRE-005"]
    assert summary["not_run"] == ["IEA-VAL-001"]
    assert summary["must"]["applicable"] == 1
