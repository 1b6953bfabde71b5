"""``conformance run`` / ``report`` / ``matrix``: exit codes, artefacts, what is printed.

``run`` is exercised with pytest replaced by a fake that writes a results document,
so these tests do not depend on the suite; the end-to-end run is tested elsewhere.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from test_reports_redact import PLANTED, SESSION_TOKEN, planted_records
from test_reports_support import FIXTURES, load_sample, passed, sample_run, test_catalogue

from conformance_cli.commands import run as run_command
from conformance_cli.main import main
from reports.records import TestRecord
from reports.results import build_results


class FakePytest:
    """Stands in for the pytest child: records the command, writes ``document``."""

    def __init__(self, document: dict | None, code: int) -> None:
        self.document, self.code = document, code
        self.command: list[str] = []
        self.env: dict[str, str] = {}

    def __call__(self, command, *, env):
        self.command, self.env = list(command), env
        if self.document is not None:
            path = Path(command[command.index("--conformance-results-json") + 1])
            path.write_text(json.dumps(self.document), encoding="utf-8")
        return self.code


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setitem(
        sys.modules, "reports.cost", None
    )  # no cost module unless a test adds one

    def install(document: dict | None, code: int) -> FakePytest:
        fake_pytest = FakePytest(document, code)
        monkeypatch.setattr(run_command, "run_pytest", fake_pytest)
        return fake_pytest

    return install


def harness_error_document() -> dict:
    catalogue = test_catalogue()
    records = [passed(b.id) for b in catalogue if b.id != "IEA-WIRE-001"]
    records.append(TestRecord("t.py::x", ("IEA-WIRE-001",), "error", 1.0, message="S3 down"))
    return build_results(sample_run(exit_code=1), records, catalogue).to_dict()


@pytest.mark.parametrize(
    ("document", "code", "exit_code"),
    [
        (lambda: load_sample("results-reference.json"), 0, 0),
        (lambda: load_sample("results-mixed.json"), 1, 1),
        (harness_error_document, 1, 3),
        (lambda: None, 1, 3),  # no results document
        (lambda: {"schema_version": 1}, 1, 3),  # an invalid one
        (lambda: load_sample("results-mixed.json"), 3, 3),  # pytest internal error
        (lambda: None, 4, 2),  # pytest usage / plugin configuration error
    ],
)
def test_run_exit_codes(tmp_path, fake, capsys, document, code, exit_code):
    fake(document(), code)
    assert main(["run", "--report-dir", str(tmp_path)]) == exit_code


def test_run_passes_pytest_options_through_and_renders_every_artefact(tmp_path, fake, capsys):
    target = tmp_path / "target.toml"
    target.write_text('name = "x"\n')
    fake_pytest = fake(load_sample("results-mixed.json"), 1)
    report_dir = tmp_path / "report"
    code = main(
        [
            "run",
            "--target",
            str(target),
            "--report-dir",
            str(report_dir),
            "-x",
            "-k",
            "wire",
            "--hypothesis-seed=3",
        ]
    )
    assert code == 1
    assert fake_pytest.command == [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "conformance.checks",
        "-o",
        f"cache_dir={report_dir.resolve() / '.pytest-cache'}",
        "--conformance-results-json",
        str(report_dir / "results.json"),
        "--target",
        str(target),
        "-x",
        "-k",
        "wire",
        "--hypothesis-seed=3",
    ]
    assert fake_pytest.env["CONFORMANCE_COMMAND"].endswith("-x -k wire --hypothesis-seed=3")
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "badge.json",
        "junit.xml",
        "report.html",
        "results.json",
        "summary.md",
    ]
    out = capsys.readouterr().out
    assert "conformance: NOT CONFORMANT — sample (sample 1.0)" in out
    assert "pass 47 · fail 4 · xfail 1 · error 1 · skip 25 · untested 2" in out
    assert f"report: {(report_dir / 'report.html').resolve()}" in out


def test_run_never_renders_a_previous_runs_document(tmp_path, fake):
    (tmp_path / "results.json").write_text(json.dumps(load_sample("results-reference.json")))
    fake(None, 1)
    assert main(["run", "--report-dir", str(tmp_path)]) == 3


def test_run_refuses_a_missing_target_file(tmp_path, fake, capsys):
    fake(None, 0)
    assert main(["run", "--target", str(tmp_path / "nope.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_run_prints_the_cost_estimate_and_fills_the_step_summary(
    tmp_path, fake, monkeypatch, capsys
):
    cost = types.ModuleType("reports.cost")
    cost.estimate_run_cost = lambda results: "estimated AWS cost: $0.42"
    monkeypatch.setitem(sys.modules, "reports.cost", cost)
    step_summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    fake(load_sample("results-reference.json"), 0)
    assert main(["run", "--report-dir", str(tmp_path / "r")]) == 0
    assert "estimated AWS cost: $0.42" in capsys.readouterr().out
    assert step_summary.read_text().startswith("## ✅ Conformant: reference")


def test_a_document_written_without_redaction_is_cleaned_on_the_way_in(tmp_path, fake, capsys):
    document = build_results(sample_run(), planted_records(), test_catalogue()).to_dict()
    test = document["behaviours"][0]["tests"][0]
    test["evidence"]["request"]["headers"]["X-Amz-Security-Token"] = SESSION_TOKEN
    test["message"] += f" {json.dumps(planted_records()[0].evidence)}"  # every secret, raw
    fake(document, 1)
    report_dir = tmp_path / "report"
    assert main(["run", "--report-dir", str(report_dir)]) == 1
    captured = capsys.readouterr()
    for secret in PLANTED:
        assert secret not in captured.out + captured.err
        for path in report_dir.iterdir():
            assert secret.encode() not in path.read_bytes(), f"{secret!r} in {path.name}"


def test_report_rerenders_and_exits_with_the_verdict(tmp_path, capsys):
    code = main(["report", str(FIXTURES / "results-mixed.json"), "--report-dir", str(tmp_path)])
    assert code == 1
    assert (tmp_path / "report.html").is_file() and (tmp_path / "junit.xml").is_file()
    assert "NOT CONFORMANT" in capsys.readouterr().out


@pytest.mark.parametrize("content", [None, "not json", '{"schema_version": 1}'])
def test_report_refuses_what_is_not_a_results_document(tmp_path, capsys, content):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    assert main(["report", str(path)]) == 2
    assert str(path) in capsys.readouterr().err


def test_matrix_writes_markdown_and_html(tmp_path, capsys):
    files = [str(FIXTURES / f"results-{n}.json") for n in ("reference", "moto")]
    assert main(["matrix", *files, "--output-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compliance-matrix.html",
        "compliance-matrix.md",
    ]
    assert "| reference | moto |" in (tmp_path / "compliance-matrix.md").read_text()
