"""``conformance run``: run the suite against a target, then write every report artefact.

pytest runs in a child process (same interpreter), so its progress shows on the
terminal as usual; the conformance plugin writes the results document to
``<report-dir>/results.json`` (``--conformance-results-json``), and this command
renders the other artefacts from that document alone.

Exit codes: 0 conformant; 1 not conformant; 2 usage or configuration error
(pytest's usage-error exit code 4); 3 the harness failed (pytest internal error,
no tests collected, no or invalid results document, or ``error`` statuses and
no ``fail``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance.target import EMBEDDED_NAMES, SHIPPED_TARGETS
from conformance_cli.commands import suite_options
from conformance_cli.exits import EXIT_HARNESS, EXIT_OK, EXIT_USAGE, UsageError
from reports.io import read_results
from reports.render import write_artefacts
from reports.render.terminal import verdict_lines
from reports.results import Results
from reports.schema import InvalidResults

DEFAULT_REPORT_DIR = "conformance-report"
# pytest.ExitCode values this command reads.
PYTEST_INTERNAL_ERROR = 3
PYTEST_USAGE_ERROR = 4
PYTEST_NO_TESTS = 5
# The plugin may use it as RunInfo.command (what reproduces the run).
COMMAND_ENV = "CONFORMANCE_COMMAND"
CACHE_DIR = ".pytest-cache"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        metavar="FILE|reference|moto",
        help="target file (TOML) or a shipped target name (reference, moto); "
        "without it the embedded reference stack is the target",
    )
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        default=DEFAULT_REPORT_DIR,
        help=f"where to write results.json and the other artefacts (default: {DEFAULT_REPORT_DIR})",
    )
    parser.add_argument(
        "--rerun-failed",
        metavar="REPORT_DIR",
        help="run only the checks judging the behaviours that failed or errored in that "
        "report (its results.json); give the same --target as that run",
    )
    suite_options.add_to(parser.add_argument_group("suite options (passed on to pytest)"))
    parser.epilog = (
        "Other options go to pytest, e.g. -x, -k EXPR (behaviour IDs are keywords: "
        "-k IEA-HDR-001), --lf (the failures of the last run with this --report-dir), "
        "--hypothesis-seed=N."
    )
    parser.set_defaults(accepts_extra=True)


def pytest_command(results_path: Path, *, target: str | None, extra: Sequence[str]) -> list[str]:
    """The pytest invocation for one run."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "conformance.checks",
        # pytest's cache (for --lf/--ff) lives in the report directory, not in the cwd.
        "-o",
        f"cache_dir={results_path.parent.resolve() / CACHE_DIR}",
        "--conformance-results-json",
        str(results_path),
    ]
    if target:
        command += ["--target", target]
    return command + list(extra)


def shipped_target_names() -> tuple[str, ...]:
    return tuple(
        dict.fromkeys([*EMBEDDED_NAMES, *sorted(p.stem for p in SHIPPED_TARGETS.glob("*.toml"))])
    )


class NothingToRerun(Exception):
    """The report has no failed or errored behaviour."""


def _results_path(path: Path) -> Path:
    """A report directory or a results document -> the results document."""
    return path / "results.json" if path.is_dir() else path


def _failed_selection(report: Path) -> list[str]:
    """``--behaviour`` options for every behaviour that failed or errored in that report."""
    source = _results_path(report)
    if not source.is_file():
        raise UsageError(f"--rerun-failed {report}: no results.json there")
    try:
        results = read_results(source)
    except InvalidResults as exc:
        raise UsageError(f"--rerun-failed {report}: {exc}") from None
    failed = [b.id for b in results.behaviours if b.status in {"fail", "error"}]
    if not failed:
        raise NothingToRerun(f"conformance run: nothing failed in {source}; nothing to re-run")
    return ["--behaviour", ",".join(failed)]


def run_pytest(command: Sequence[str], *, env: dict[str, str]) -> int:
    """Run pytest attached to this terminal; on Ctrl-C let it finish writing its results."""
    process = subprocess.Popen(list(command), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # The child got the same SIGINT; pytest stops and still writes results.
        return process.wait()


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except NothingToRerun as exc:
        print(exc)
        return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    extra = suite_options.forwarded(args) + list(getattr(args, "extra", []) or [])
    if args.target and not (Path(args.target).is_file() or args.target in shipped_target_names()):
        raise UsageError(
            f"--target {args.target}: no such file "
            f"(shipped targets: {', '.join(shipped_target_names())})"
        )
    if args.rerun_failed:
        extra += _failed_selection(Path(args.rerun_failed))
    report_dir = Path(args.report_dir)
    results_path = report_dir / "results.json"
    report_dir.mkdir(parents=True, exist_ok=True)
    results_path.unlink(missing_ok=True)  # never render a previous run's document

    reproduce = [
        "conformance",
        "run",
        *(["--target", args.target] if args.target else []),
        *(["--report-dir", args.report_dir] if args.report_dir != DEFAULT_REPORT_DIR else []),
        *extra,
    ]
    env = {
        **os.environ,
        COMMAND_ENV: shlex.join(reproduce),
        # Hypothesis' example database beside the report, not in the user's cwd.
        "HYPOTHESIS_STORAGE_DIRECTORY": str(report_dir.resolve() / ".hypothesis"),
    }
    code = run_pytest(pytest_command(results_path, target=args.target, extra=extra), env=env)

    if code == PYTEST_USAGE_ERROR:
        print(
            f"conformance run: pytest reported a usage or configuration error (exit {code})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not results_path.is_file():
        print(
            f"conformance run: pytest exited with {code} and wrote no results document "
            f"({results_path}); is the conformance plugin installed?",
            file=sys.stderr,
        )
        return EXIT_HARNESS
    try:
        results = read_results(results_path)
    except InvalidResults as exc:
        print(f"conformance run: {exc}", file=sys.stderr)
        return EXIT_HARNESS
    paths = write_artefacts(results, report_dir)
    print()
    print("\n".join(verdict_lines(results, paths)))
    _print_cost(results)
    _append_step_summary(paths["markdown"])
    if code in {PYTEST_INTERNAL_ERROR, PYTEST_NO_TESTS}:
        reason = "an internal error" if code == PYTEST_INTERNAL_ERROR else "no tests collected"
        print(f"conformance run: pytest exited with {code} ({reason})", file=sys.stderr)
        return EXIT_HARNESS
    return results.exit_code()


def _print_cost(results: Results) -> None:
    """The cost estimate for real-AWS targets, when ``reports.cost`` is installed."""
    try:
        from reports.cost import estimate_run_cost  # type: ignore[import-not-found]
    except ImportError:
        return
    try:
        estimate = estimate_run_cost(results.to_dict())
    except Exception as exc:  # an estimate must never fail the run
        print(f"  cost estimate unavailable: {exc}", file=sys.stderr)
        return
    if estimate is not None:
        print(f"  {estimate}")


def _append_step_summary(markdown: Path) -> None:
    """In GitHub Actions, add the Markdown summary to the job's step summary."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown.read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"conformance run: could not write $GITHUB_STEP_SUMMARY: {exc}", file=sys.stderr)
