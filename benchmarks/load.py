"""Load benchmark (issue 19): 10,000-request Locust bursts against the embedded reference,
judged by the load profile's judgement, with the figures of each.

    python benchmarks/load.py [--count 10000] [--users 20] [--only reference,kill,...]
                              [--json benchmarks/results/load.json]

Runs (``--only`` picks some): ``reference`` (library mode, one driver process),
``kill`` (the service as a process with a durable SQS queue, SIGKILLed mid-burst and
restarted), ``distributed`` (a Locust master and two workers), and the dispatch
mutants ``drops-1-in-1000`` and ``runs-1-in-1000-twice``. Prints one line per run:
its figures (accepted/s, 202 and completion latency p50/p95/p99, burst and settle
time, re-runs, restarts) and each judgement's status and counts. Exit 0 when every
reference run keeps every MUST and both mutants are judged non-conformant.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mutants.load import DropsOneIn, RunsOneInTwice

from conformance.load.burst import Distribution
from conformance.load.direct import measure
from reference.parts import DEFAULT_PARTS

KILL = "kill -KILL $(cat $CONFORMANCE_SERVICE_PIDFILE)"
MUSTS = ("IEA-LOAD-001", "IEA-LOAD-002", "IEA-LOAD-003", "IEA-LOAD-004", "IEA-LOAD-005",
         "IEA-LOAD-006")
RUNS = ("reference", "kill", "distributed", "drops-1-in-1000", "runs-1-in-1000-twice")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--only", default=",".join(RUNS))
    parser.add_argument("--fault-at", type=float, default=30.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    common = {"count": args.count, "users": args.users, "budget": args.count / 5 + 120,
              "max_concurrency": 4, "settle": 600.0}
    plans = {
        "reference": {},
        "kill": {"service_process": True, "visibility": 10.0, "quiet": 15.0,
                 "fault_command": KILL, "fault_at": args.fault_at},
        "distributed": {"distribution": Distribution(workers=2, expect=2)},
        "drops-1-in-1000": {"parts": dataclasses.replace(
            DEFAULT_PARTS, dispatcher=DropsOneIn(every=1000))},
        "runs-1-in-1000-twice": {"parts": dataclasses.replace(
            DEFAULT_PARTS, dispatcher=RunsOneInTwice(every=1000))},
    }
    results = {}
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        began = time.monotonic()
        got = measure(**common, **plans[name])
        figures = {k: v for k, v in got.figures.items() if k != "timeline"}
        figures["wall_s"] = round(time.monotonic() - began, 1)
        results[name] = {"figures": figures, "statuses": got.statuses(),
                         "timeline": got.figures.get("timeline")}
        print(name, json.dumps({k: v for k, v in figures.items() if k != "findings"}),
              flush=True)
        for behaviour, finding in sorted(got.findings.items()):
            print(f"    {got.statuses()[behaviour]:9} {behaviour} {finding.name} "
                  f"{finding.counts}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    ok = True
    for name, result in results.items():
        failed = [b for b in MUSTS if result["statuses"][b] == "fail"]
        ok &= bool(failed) if name.startswith(("drops", "runs")) else not failed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
