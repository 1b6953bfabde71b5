"""A burst against an embedded reference started here, judged without a pytest run.

The same burst, collection and judgement as the load checks (conformance/checks/
test_load.py), for the project's tests and the load benchmark: they build the
reference from replaced parts (the dispatch mutants) or run its service as a
process to kill, and need the findings and figures as values.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from conformance.load.burst import LIBRARY_MODE, BurstRun, Distribution, run_burst
from conformance.load.collect import Outcomes, build_evidence
from conformance.load.verify import Finding, judge


@dataclass
class Measured:
    findings: dict[str, Finding]
    figures: dict[str, Any]
    burst: BurstRun
    restarts: int = 0
    exit_codes: list[int] = field(default_factory=list)

    def statuses(self) -> dict[str, str]:
        return {b: str(f.to_dict()["status"]) for b, f in self.findings.items()}


def measure(
    *,
    count: int,
    users: int = 8,
    spawn_rate: float = 50.0,
    budget: float = 120.0,
    max_concurrency: int = 4,
    settle: float = 120.0,
    quiet: float = 3.0,
    mix: str = "s3=1",
    parts: Any | None = None,
    service_process: bool = False,
    visibility: float = 10.0,
    fault_command: str | None = None,
    fault_at: float = 0.0,
    distribution: Distribution = LIBRARY_MODE,
    target_rate: float | None = None,
    clock_scale: float = 0.05,
) -> Measured:
    """Start the embedded reference (from ``parts``, or as a process), burst, judge."""
    from conformance.embedded import start_embedded
    from conformance.target import parse_s3_uri

    stack, settings = start_embedded(
        max_concurrency=max_concurrency, parts=parts, clock_scale=clock_scale,
        service_process=service_process, durable_visibility=visibility,
    )
    try:
        bucket, prefix = parse_s3_uri(settings.input_s3)
        plan = {
            "run_id": uuid.uuid4().hex[:8], "count": count, "users": users,
            "spawn_rate": spawn_rate, "budget_s": budget, "mix": mix,
            "target_rate": target_rate, "clock_scale": clock_scale,
            "endpoint_url": settings.service_url, "s3_url": settings.moto_url,
            "region": settings.region, "access_key": settings.access_key,
            "secret_key": settings.secret_key, "endpoint_name": settings.endpoint_name,
            "input_bucket": bucket,
            "input_prefix": (prefix.rstrip("/") + "/" if prefix else "") + "load/",
        }
        burst = run_burst(
            plan, distribution=distribution, fault_command=fault_command, fault_at=fault_at,
            fault_env={"CONFORMANCE_SERVICE_PIDFILE": settings.service_pidfile},
            worker_env={"AWS_ACCESS_KEY_ID": settings.access_key,
                        "AWS_SECRET_ACCESS_KEY": settings.secret_key},
        )
        import boto3

        s3 = boto3.client(
            "s3", endpoint_url=settings.moto_url, region_name=settings.region,
            aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
        )
        evidence, figures = build_evidence(
            burst, Outcomes(s3, (settings.output_path, settings.failure_path), max_concurrency),
            settle=settle, quiet=quiet,
        )
        process = stack.process
        restarts = len(process.restarts) if process else 0
        exits = list(process.exits) if process else []
    finally:
        stack.stop()
    findings = {f.behaviour: f for f in judge(evidence)}
    figures["findings"] = {b: f.counts for b, f in findings.items()}
    figures["service_restarts"] = restarts
    return Measured(findings, figures, burst, restarts, exits)
