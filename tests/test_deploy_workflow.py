"""docs/github-actions-gate.yml: parses, and does what a gate must."""

from __future__ import annotations

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

WORKFLOW = Path(__file__).resolve().parents[1] / "docs" / "github-actions-gate.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _script(workflow: dict, job: str) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow, job))


def test_every_job_runs_the_suite_and_gates_on_its_exit_code(workflow):
    assert workflow["jobs"], "no jobs"
    for job in workflow["jobs"]:
        script = _script(workflow, job)
        assert "conformance run --target" in script
        assert "GITHUB_STEP_SUMMARY" in script
        # Exit codes: 0 conformant, 1 not conformant, 2 usage, 3 harness.
        for code in ("1)", "2)", "3)"):
            assert code in script, f"{job} does not handle exit code {code}"


def test_reports_are_uploaded_even_when_the_gate_fails(workflow):
    for job in workflow["jobs"]:
        uploads = [s for s in _steps(workflow, job) if "upload-artifact" in s.get("uses", "")]
        assert uploads and all(s.get("if") == "always()" for s in uploads)


def test_the_aws_job_tears_down_whatever_happens(workflow):
    steps = _steps(workflow, "real-sagemaker")
    teardown = [s for s in steps if "conformance teardown" in s.get("run", "")]
    assert teardown and teardown[0].get("if") == "always()"
    assert workflow["jobs"]["real-sagemaker"]["permissions"]["id-token"] == "write"
