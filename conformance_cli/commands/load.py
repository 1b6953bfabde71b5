"""`conformance load`: a bounded burst on Locust, then the load judgement of what it left.

Against the embedded reference only for now (started here, on loopback). The burst
runs in its own process (``conformance.load.driver``) because Locust patches the
standard library with gevent; this process keeps the asyncio stack and the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from conformance.load.inputs import input_sha256
from conformance.load.verify import Accepted, Evidence, Finding, ProbeRun, judge

DEFAULT_COUNT = {"standard": 1000, "thorough": 10_000}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", choices=sorted(DEFAULT_COUNT), default="standard")
    parser.add_argument("--count", type=int, help="accepted requests (default by depth)")
    parser.add_argument("--users", type=int, default=20, help="Locust users (default 20)")
    parser.add_argument("--spawn-rate", type=float, default=20.0)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for the burst")
    parser.add_argument("--max-concurrency", type=int, default=4)
    parser.add_argument("--settle", type=float, default=120.0,
                        help="seconds to wait for every outcome after the burst")
    parser.add_argument("--output", type=Path, default=Path("reports/load.json"))


def _usage(message: str) -> int:
    print(f"conformance load: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    count = args.count if args.count is not None else DEFAULT_COUNT[args.depth]
    if count <= 0 or args.users <= 0 or args.spawn_rate <= 0 or args.budget <= 0:
        return _usage("--count, --users, --spawn-rate and --budget must be positive")
    findings, figures = measure(
        count=count, users=args.users, spawn_rate=args.spawn_rate, budget=args.budget,
        max_concurrency=args.max_concurrency, settle=args.settle,
    )
    document = {"figures": figures, "findings": [f.to_dict() for f in findings]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2))
    for finding in findings:
        print(f"{finding.to_dict()['status']:9} {finding.name}  {finding.counts}")
    print(json.dumps(figures))
    # Untested is not a pass, but it is not the target's fault either.
    return 1 if any(f.passed is False for f in findings) else 0


def measure(
    *, count: int, users: int, spawn_rate: float, budget: float, max_concurrency: int,
    settle: float, parts: Any | None = None,
) -> tuple[list[Finding], dict[str, Any]]:
    """Start the embedded reference (built from ``parts`` when given), burst, judge."""
    from conformance.embedded import start_embedded
    from conformance.target import parse_s3_uri

    stack, settings = start_embedded(max_concurrency=max_concurrency, parts=parts)
    try:
        bucket, prefix = parse_s3_uri(settings.input_s3)
        plan = {
            "run_id": uuid.uuid4().hex[:8], "count": count, "users": users,
            "spawn_rate": spawn_rate, "budget_s": budget,
            "endpoint_url": settings.service_url, "s3_url": settings.moto_url,
            "region": settings.region, "access_key": settings.access_key,
            "secret_key": settings.secret_key, "endpoint_name": settings.endpoint_name,
            "input_bucket": bucket, "input_prefix": prefix.rstrip("/") + "/" if prefix else "",
        }
        started = time.time()
        records = _burst(plan, timeout=budget + 60)
        burst_s = time.time() - started
        evidence, waited = _collect(settings, records, max_concurrency, settle)
    finally:
        stack.stop()
    findings = judge(evidence)
    accepted = [r for r in records if r["status"] == 202]
    latencies = sorted(r["latency_s"] for r in accepted)
    figures = {
        "accepted": len(accepted), "rejected": len(records) - len(accepted),
        "burst_s": round(burst_s, 2), "settle_s": round(waited, 2),
        "accepted_per_s": round(len(accepted) / burst_s, 1) if burst_s else None,
        "latency_202_s": _percentiles(latencies),
    }
    return findings, figures


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 4)
    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def _burst(plan: dict[str, Any], *, timeout: float) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        plan_path, record_path = Path(tmp, "plan.json"), Path(tmp, "records.jsonl")
        plan_path.write_text(json.dumps(plan))
        subprocess.run(
            [sys.executable, "-m", "conformance.load.driver", str(plan_path), str(record_path)],
            check=True, timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return [json.loads(line) for line in record_path.read_text().splitlines()]


def _collect(
    settings: Any, records: list[dict[str, Any]], limit: int, settle: float
) -> tuple[Evidence, float]:
    import hashlib

    import boto3

    from conformance.target import parse_s3_uri

    s3 = boto3.client(
        "s3", endpoint_url=settings.moto_url, region_name=settings.region,
        aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
    )
    accepted = [r for r in records if r["status"] == 202]
    wanted = {r["output_location"] for r in accepted} | {
        r["failure_location"] for r in accepted if r["failure_location"]
    }
    start = time.monotonic()
    objects: dict[str, bytes] = {}
    prefixes = [settings.output_path, settings.failure_path]
    while True:  # bounded by settle; lists keys only, reads the objects once at the end
        listed = _list_objects(s3, prefixes, parse_s3_uri, read=False)
        done = all(
            r["output_location"] in listed or r["failure_location"] in listed for r in accepted
        )
        if done or time.monotonic() - start > settle:
            break
        time.sleep(0.5)
    waited = time.monotonic() - start
    objects = _list_objects(s3, prefixes, parse_s3_uri, read=True)
    runs, history, tags = [], [], set()
    max_sequence = 0
    fingerprints = {k: hashlib.sha256(v).hexdigest() for k, v in objects.items()}
    for location in wanted & objects.keys():
        try:
            record = json.loads(objects[location])
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("probe") == 1 and record.get("tag"):
            fingerprints[location] = str(record.get("body_sha256"))
            runs.append(ProbeRun(record["tag"], record["started_at"], record["finished_at"]))
            tags.add(record["tag"])
            if record["sequence"] > max_sequence:
                max_sequence, history = record["sequence"], record["history"]
    from collections import Counter
    repeated = tuple(t for t, n in Counter(history).items() for _ in range(n - 1))
    evidence = Evidence(
        accepted=tuple(
            Accepted(r["tag"], r["output_location"], r["failure_location"],
                     expected_sha256=input_sha256(r["tag"]))
            for r in accepted
        ),
        rejected_locations=tuple(
            r["output_location"] for r in records if r["status"] != 202 and r["output_location"]
        ),
        objects=fingerprints,
        runs=tuple(runs), notified_tags=(), concurrency_limit=limit, repeated_tags=repeated,
    )
    return evidence, waited


def _list_objects(s3: Any, prefixes: list[str], parse: Any, *, read: bool) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for uri in prefixes:
        if not uri:
            continue
        bucket, prefix = parse(uri)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                location = f"s3://{bucket}/{item['Key']}"
                found[location] = (
                    s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() if read else b""
                )
    return found
