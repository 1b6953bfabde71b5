"""Flakiness: run the whole suite at standard depth against the reference N times in a
row and count the runs (and behaviours) that did not pass.

    python benchmarks/flakiness.py --runs 10 [--depth standard] [--json out.json]

Each run gets a fresh embedded stack (as a user's `conformance run` would) and is
pointed at it exactly as at any target: pytest in a subprocess, configured by the
AWS_ENDPOINT_URL_* / CONFORMANCE_* environment. Exit status 0 when every run passed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reference.stack import EmbeddedStack  # noqa: E402


def one_run(index: int, depth: str, workdir: Path, timeout: float) -> dict[str, object]:
    results = workdir / f"run-{index}.json"
    began = time.monotonic()
    with EmbeddedStack(clock_scale=0.05) as settings:
        env = {**os.environ, **settings.env, "CONFORMANCE_CLOCK_SCALE": str(settings.clock_scale)}
        command = [
            sys.executable, "-m", "pytest", "--pyargs", "conformance.checks",
            "--depth", depth, "-p", "no:cacheprovider", "-q",
            "--conformance-results-json", str(results),
        ]
        try:
            done = subprocess.run(
                command, env=env, cwd=workdir, capture_output=True, text=True, timeout=timeout
            )
            code, tail = done.returncode, (done.stdout + done.stderr)[-2000:]
        except subprocess.TimeoutExpired:
            code, tail = -1, f"did not finish within {timeout:.0f} s"
    document = json.loads(results.read_text()) if results.is_file() else {"behaviours": []}
    broken = {
        b["id"]: b["status"] for b in document["behaviours"] if b["status"] in {"fail", "error"}
    }
    return {
        "run": index,
        "exit_code": code,
        "seconds": round(time.monotonic() - began, 1),
        "broken": broken,
        "tail": tail if code != 0 else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--depth", default="standard", choices=["quick", "standard", "thorough"])
    parser.add_argument("--timeout", type=float, default=900.0, help="per run, seconds")
    parser.add_argument("--json", help="write the per-run records here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs={args.runs}: must be at least 1")
    records = []
    with tempfile.TemporaryDirectory(prefix="flakiness-") as tmp:
        for index in range(1, args.runs + 1):
            record = one_run(index, args.depth, Path(tmp), args.timeout)
            records.append(record)
            verdict = "ok" if record["exit_code"] == 0 else f"FAILED {record['broken']}"
            print(f"run {index}/{args.runs}: {verdict} ({record['seconds']} s)", flush=True)
    failed = [r for r in records if r["exit_code"] != 0]
    behaviours = Counter(b for r in records for b in r["broken"])  # type: ignore[attr-defined]
    print(f"flakiness: {len(failed)} of {args.runs} runs failed at depth {args.depth}")
    for behaviour, count in behaviours.most_common():
        print(f"  {behaviour}: {count}")
    for record in failed:
        print(f"--- run {record['run']} (exit {record['exit_code']}):\n{record['tail']}")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=2))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
