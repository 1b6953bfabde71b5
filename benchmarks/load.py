"""Load benchmark (issue 19): bursts on Locust against the embedded reference, and the
two dispatch mutants at 1 in 1,000, judged by the load judgement.

    python benchmarks/load.py [--count 10000] [--users 20] [--json out.json]

Prints one line per run: its findings' statuses and counts, and its figures
(accepted/s, 202 latency p50/p95/p99, burst and settle time). Exit 0 when the
reference passes and both mutants are judged non-conformant.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mutants.load import DropsOneIn, RunsOneInTwice

from conformance_cli.commands.load import measure
from reference.parts import DEFAULT_PARTS


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs = {
        "reference": None,
        "drops-1-in-1000": {"dispatcher": DropsOneIn(every=1000)},
        "runs-1-in-1000-twice": {"dispatcher": RunsOneInTwice(every=1000)},
    }
    results = {}
    for name, replaced in runs.items():
        parts = dataclasses.replace(DEFAULT_PARTS, **replaced) if replaced else None
        findings, figures = measure(
            count=args.count, users=args.users, spawn_rate=50.0, budget=args.count / 5 + 60,
            max_concurrency=4, settle=60.0, parts=parts,
        )
        results[name] = {"figures": figures, "findings": [f.to_dict() for f in findings]}
        statuses = {f.name: f.to_dict()["status"] for f in findings}
        print(name, json.dumps(figures), flush=True)
        for f in findings:
            print(f"    {statuses[f.name]:9} {f.name} {f.counts}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    ok = all(f["status"] != "fail" for f in results["reference"]["findings"]) and all(
        any(f["status"] == "fail" for f in results[m]["findings"])
        for m in ("drops-1-in-1000", "runs-1-in-1000-twice")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
