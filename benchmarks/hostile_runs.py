"""Hostile targets and adversarial evidence (issue 14): no target can stall the harness.

    python benchmarks/hostile_runs.py [--only evidence,targets] [--targets hang,slow-drip,...]

1. ``evidence``: one megabyte of adversarial evidence (secret-looking names, quotes,
   escapes, backslash runs, NULs) built into a results document, redacted, abbreviated
   and rendered to every artefact (results.json, junit.xml, report.html, summary.md,
   badge.json) and the terminal verdict. Goal: <= 1 s.
2. ``targets``: ``conformance run --depth quick`` (every check, default options) against
   each hostile target, next to the same run against the conforming reference on the
   same embedded stack, one run at a time. Per target: wall time and its ratio to the
   conforming run (goal: each <= 2x), the exit code, the behaviours failed, the sizes
   of results.json and junit.xml. HTTP-level hostiles are the loopback servers of
   ``tests/hostile/servers.py``; outcome-level ones the reference mutants of
   ``tests/hostile/targets.py``.

Prints a table and writes ``benchmarks/results/hostile_runs.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import targets  # noqa: E402
from hostile.servers import HostileServer  # noqa: E402
from mutants.runner import SharedStack  # noqa: E402
from suite import machine  # noqa: E402  (the sibling benchmark's machine description)

from reference.parts import DEFAULT_PARTS, Parts  # noqa: E402

SEED = "12345"
RESULTS = Path(__file__).resolve().parent / "results" / "hostile_runs.json"
PARTS = ("evidence", "targets")
EVIDENCE_BYTES = 1_000_000
RUN_TIMEOUT = 1800.0
# name -> a loopback server kind, or a function building the mutant's parts.
HOSTILES: dict[str, str | Callable[[], Parts]] = {
    "never-answers": "hang",
    "answers-500": "status-500",
    "resets-connections": "reset",
    "invalid-json": "invalid-json",
    "50-mb-body": "huge-body",
    "garbage-200": "garbage-200",
    "reset-mid-body": "reset-mid-body",
    "slow-drip": "slow-drip",
    "wrong-content-length": "wrong-length",
    "truncates-outputs": targets.truncates_outputs,
    "output-in-another-bucket": targets.another_bucket,
    "writes-no-outcome": targets.writes_nothing,
}
CONFORMING = "conforming-reference"


# -- 1. adversarial evidence ----------------------------------------------------------


def adversarial_text(size: int) -> str:
    """``size`` characters that every redaction and rendering pattern finds hard: names
    that look like secrets followed by unterminated quotes and backslash runs, NULs,
    control bytes, markup, and the credentials a report must never show."""
    pieces = [
        'custom_attributes="' + "\\" * 64,
        "X-Amzn-SageMaker-Custom-Attributes: secret-ca-value\r\n",
        "x-amz-security-token=FwoGZXIvYXdzEXAMPLE&",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/",
        "Bearer eyJhbGciOiJIUzI1NiJ9.", "-u 'user:password' ", '\\"', "'", '"',
        "\x00" * 16, "\x1b[31m", "<script>alert(1)</script>", "]]>", "&amp;", "\ud800",
    ]
    chunk = "".join(pieces)
    return (chunk * (size // len(chunk) + 1))[:size]


def evidence_round(work: Path) -> dict[str, Any]:
    from reports.records import RunInfo, TestRecord
    from reports.render import write_artefacts
    from reports.render.terminal import verdict_lines
    from reports.results import build_results
    from spec.catalogue import load_catalogue

    text = adversarial_text(EVIDENCE_BYTES)
    quarter = text[: EVIDENCE_BYTES // 4]
    record = TestRecord(
        nodeid="conformance/checks/test_wire.py::test_adversarial",
        behaviours=("IEA-WIRE-002",),
        outcome="failed",
        duration=1.0,
        message=quarter,
        evidence={
            "expected": "a JSON body",
            "observed": quarter,
            "request": {"method": "POST", "url": "http://127.0.0.1/x", "headers": {
                "X-Amzn-SageMaker-Custom-Attributes": "secret-ca-value"},
                "body_preview": quarter, "body_length": len(quarter)},
            "response": {
                "status": 202, "headers": {}, "body_preview": quarter[: len(quarter) // 2]
            },
            "observations": [{"kind": "note", "text": quarter[len(quarter) // 2 :]}],
            "reproduction": {"curl": "curl -H 'X-Amzn-SageMaker-Custom-Attributes: "
                             "secret-ca-value' http://127.0.0.1/x", "boto3": ""},
        },
        example=quarter,
    )
    run = RunInfo(suite_version="bench", spec_revision="2026", botocore_version="bench",
                  target={"name": "adversarial"}, seed=SEED, depth="quick")
    began = time.perf_counter()
    results = build_results(run, [record], load_catalogue(), secrets=["secret-ca-value"])
    redacted = time.perf_counter()
    paths = write_artefacts(results, work / "adversarial")
    lines = verdict_lines(results, paths)
    rendered = time.perf_counter()
    written = {key: path.read_bytes() for key, path in paths.items()}
    return {
        "evidence_bytes": len(text.encode("utf-8", "surrogatepass")),
        "redact_seconds": round(redacted - began, 3),
        "render_seconds": round(rendered - redacted, 3),
        "seconds": round(rendered - began, 3),
        "secret_leaked": any(b"secret-ca-value" in b or b"AKIAIOSFODNN7EXAMPLE" in b
                             for b in written.values()),
        "raw_nul_bytes": sum(b.count(b"\x00") for b in written.values()),
        "longest_line": max(len(line) for b in written.values() for line in b.splitlines()),
        "terminal_lines": len(lines),
        "sizes": {key: len(b) for key, b in written.items()},
    }


# -- 2. hostile targets ---------------------------------------------------------------


@contextmanager
def served(stack: SharedStack, what: str | Callable[[], Parts]) -> Iterator[str]:
    """The runtime URL of one target on the shared stack."""
    if isinstance(what, str):
        server = HostileServer(what)
        url = server.start()
        try:
            yield url
        finally:
            server.stop()
    else:
        with stack.serve(what()) as service:
            yield service.url


def conformance_run(name: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    """``conformance run --depth quick`` as a user types it; what it costs and says."""
    report = work / name
    command = [
        sys.executable, "-m", "conformance", "run", "--report-dir", str(report),
        "--depth", "quick", "--hypothesis-seed", SEED, "-q",
    ]
    began = time.perf_counter()
    with (work / f"{name}.log").open("w") as log:
        try:
            returncode = subprocess.run(
                command, env={**os.environ, **env}, cwd=work, stdout=log,
                stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT,
            ).returncode
        except subprocess.TimeoutExpired:
            returncode = -1
    seconds = time.perf_counter() - began
    output = (work / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    document: dict[str, Any] = {}
    if (report / "results.json").is_file():
        document = json.loads((report / "results.json").read_text(encoding="utf-8"))
    statuses = {b["id"]: b["status"] for b in document.get("behaviours", ())}

    def size(file: str) -> int:
        path = report / file
        return path.stat().st_size if path.is_file() else 0

    return {
        "seconds": round(seconds, 1),
        "exit": returncode,
        "failed": sorted(b for b, s in statuses.items() if s == "fail"),
        "errored": sorted(b for b, s in statuses.items() if s == "error"),
        "passed": sum(s == "pass" for s in statuses.values()),
        "results_json_bytes": size("results.json"),
        "junit_xml_bytes": size("junit.xml"),
        "report_html_bytes": size("report.html"),
        "longest_terminal_line": max((len(line) for line in output.splitlines()), default=0),
        "terminal_tracebacks": output.count("Traceback (most recent call last)"),
    }


def targets_round(work: Path, names: Sequence[str]) -> dict[str, Any]:
    stack = SharedStack().start()
    out: dict[str, Any] = {}
    try:
        for name in [CONFORMING, *names]:
            what: str | Callable[[], Parts] = (
                (lambda: DEFAULT_PARTS) if name == CONFORMING else HOSTILES[name]
            )
            with served(stack, what) as url:
                out[name] = conformance_run(name, stack.env(url), work)
            print(f"  {name}: {json.dumps(out[name])}", flush=True)
    finally:
        stack.stop()
    base = out[CONFORMING]["seconds"]
    for name in names:
        out[name]["ratio"] = round(out[name]["seconds"] / base, 2) if base else None
    return out


# -- the run ------------------------------------------------------------------------


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    rows = [
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; "
        f"load {m['load_at_start']} -> {m.get('load_at_end', '?')}; {results['when']}",
        "",
    ]
    if "evidence" in results:
        e = results["evidence"]
        rows += [
            "| figure | value | goal | note |", "|---|---|---|---|",
            _row("1 MB adversarial evidence redacted + rendered", f"{e['seconds']:.2f} s",
                 "<= 1 s", f"redact {e['redact_seconds']:.2f} s, render "
                 f"{e['render_seconds']:.2f} s; raw NULs {e['raw_nul_bytes']}, longest line "
                 f"{e['longest_line']}, secret leaked: {e['secret_leaked']}"),
            "",
        ]
    if "targets" in results:
        t = results["targets"]
        rows += [
            "| target (quick, whole suite) | wall | x conforming | exit | failed behaviours "
            "| results.json | junit.xml |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in t.items():
            failed = ", ".join(r["failed"][:6]) + (
                f" +{len(r['failed']) - 6}" if len(r["failed"]) > 6 else ""
            )
            rows.append(_row(
                name, f"{r['seconds']:.1f} s", r.get("ratio", "1.00"), r["exit"],
                f"{len(r['failed'])}: {failed}" if r["failed"] else "none",
                f"{r['results_json_bytes'] / 1024:.0f} KB", f"{r['junit_xml_bytes'] / 1024:.0f} KB",
            ))
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(PARTS)}")
    parser.add_argument("--targets", help=f"hostile targets (default all): {', '.join(HOSTILES)}")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    names = args.targets.split(",") if args.targets else list(HOSTILES)
    unknown = (parts - set(PARTS)) | (set(names) - set(HOSTILES))
    if unknown:
        raise SystemExit(f"unknown parts or targets: {sorted(unknown)}")
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": SEED,
    }
    with tempfile.TemporaryDirectory(prefix="conformance-hostile-") as tmp:
        work = Path(tmp)
        if "evidence" in parts:
            results["evidence"] = evidence_round(work)
            print(f"  evidence: {json.dumps(results['evidence'])}", flush=True)
        if "targets" in parts:
            results["targets"] = targets_round(work, names)
    results["machine"]["load_at_end"] = machine()["load_at_start"]
    text = table(results)
    results["table"] = text
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten: {args.output}")
    missed = []
    if "evidence" in results and results["evidence"]["seconds"] > 1.0:
        missed.append("evidence > 1 s")
    for name, r in results.get("targets", {}).items():
        if name != CONFORMING and (r.get("ratio") or 0) > 2.0:
            missed.append(f"{name} > 2x")
    if missed:
        print(f"goals missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
