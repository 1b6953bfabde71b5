"""What a conformance run cost on real AWS, estimated from its results document.

``conformance run`` calls ``estimate_run_cost(results)`` and prints the result
for targets marked ``aws = true``. The estimate is deliberately simple and says
what it assumed: the endpoint's instance time while the run lasted (or the
longest wait, if longer), plus per-request charges of S3, SNS and SQS. It is
not a bill: the endpoint keeps costing money until ``conformance teardown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PRICE_LABEL = "list prices, us-east-1, as of 2026; check your region"

# On-demand SageMaker real-time/async inference, USD per instance-hour.
INSTANCE_HOURLY_USD: Mapping[str, float] = {
    "ml.t2.medium": 0.056,
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.c5.large": 0.102,
    "ml.c5.xlarge": 0.204,
    "ml.m6i.large": 0.1152,
    "ml.c6i.large": 0.102,
    "ml.g4dn.xlarge": 0.736,
    "ml.g5.xlarge": 1.408,
}
# USD per request.
S3_PUT_USD = 0.005 / 1000
S3_GET_USD = 0.0004 / 1000
SNS_PUBLISH_USD = 0.50 / 1_000_000
SQS_REQUEST_USD = 0.40 / 1_000_000

# Per invocation, what the suite and SageMaker do: one input PUT, one output or
# failure PUT (by SageMaker, billed to the bucket owner), a few GETs while the
# suite polls for the outcome, one SNS publish and a few SQS receive/delete calls.
S3_PUTS_PER_INVOCATION = 2
S3_GETS_PER_INVOCATION = 4
SQS_REQUESTS_PER_INVOCATION = 3
# When the run does not count its invocations: most checks send one or two.
INVOCATIONS_PER_TEST = 2
STATUS_KEYS = ("pass", "fail", "xfail", "skip", "error")


@dataclass(frozen=True)
class CostEstimate:
    invocations: int
    invocations_estimated: bool  # True when derived from the number of tests
    endpoint_minutes: float
    instance_type: str | None
    instance_count: int
    hourly_usd: float | None  # None: instance type not in the price table
    endpoint_usd: float | None
    requests_usd: float
    longest_wait_seconds: float | None

    @property
    def total_usd(self) -> float | None:
        return None if self.endpoint_usd is None else self.endpoint_usd + self.requests_usd

    def __str__(self) -> str:
        counted = "estimated from the test count" if self.invocations_estimated else "counted"
        instance = f"{self.instance_count} x {self.instance_type or 'unknown instance type'}"
        if self.hourly_usd is None:
            endpoint = (
                f"endpoint: {self.endpoint_minutes:.1f} instance-minutes of {instance} "
                "(no list price for it here)"
            )
        else:
            endpoint = (
                f"endpoint: {self.endpoint_minutes:.1f} instance-minutes of {instance} "
                f"at ${self.hourly_usd:.4f}/h = ${self.endpoint_usd:.4f}"
            )
        lines = [
            "Estimated AWS cost of this run",
            f"  {endpoint}",
            f"  requests: {self.invocations} invocations ({counted}); S3, SNS, SQS "
            f"requests = ${self.requests_usd:.4f}",
        ]
        if self.longest_wait_seconds is not None:
            lines.append(f"  longest wait: {self.longest_wait_seconds:.0f} s")
        total = "unknown" if self.total_usd is None else f"${self.total_usd:.4f}"
        lines.append(f"  total: {total} ({PRICE_LABEL})")
        lines.append("  the endpoint bills until `conformance teardown`; S3 storage is extra")
        return "\n".join(lines)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _first(mapping: Mapping[str, Any], *paths: tuple[str, ...]) -> Any:
    """The first value found along any of ``paths`` of nested keys."""
    for path in paths:
        node: Any = mapping
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            return node
    return None


def _recorded_tests(results: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The results document's tests by nodeid (reports/results.schema.json): they
    hang off behaviours, and a test that checks several appears under each."""
    lists = [b.get("tests") for b in results.get("behaviours") or [] if isinstance(b, Mapping)]
    lists.append(results.get("unmapped_tests"))
    tests: dict[str, Mapping[str, Any]] = {}
    for tests_list in lists:
        for test in tests_list if isinstance(tests_list, list) else []:
            if isinstance(test, Mapping):
                tests[str(test.get("nodeid") or f"#{len(tests)}")] = test
    return tests


def _test_count(results: Mapping[str, Any]) -> int:
    counts = results.get("counts") or {}
    total = _number(counts.get("tests")) or _number(counts.get("total"))
    if total is not None:
        return int(total)
    tests = results.get("tests")
    if isinstance(tests, list | dict):
        return len(tests)
    recorded = _recorded_tests(results)
    if recorded:
        return len(recorded)
    # Else the sum of the per-status counts of the status lattice.
    statuses = [_number(counts.get(k)) for k in STATUS_KEYS]
    return int(sum(v for v in statuses if v is not None))


def _longest_wait(results: Mapping[str, Any]) -> float | None:
    stated = _number(_first(
            results,
            ("run", "target", "longest_wait"),
            ("run", "longest_wait"),
            ("counts", "longest_wait"),
        ))
    if stated is not None:
        return stated
    # Else the longest test: in this suite a test's time is almost all waiting.
    durations = [_number(t.get("duration")) for t in _recorded_tests(results).values()]
    known = [d for d in durations if d is not None]
    return max(known) if known else None


def estimate_run_cost(results: Mapping[str, Any]) -> CostEstimate | None:
    """The cost of the run ``results`` describes, or None unless its target is AWS.

    ``target`` is ``results["target"]`` or ``results["run"]["target"]``. Reads
    ``target.aws``; ``counts.invocations`` or ``run.invocations`` (else the test count x 2);
    ``run.duration`` in seconds; ``run.longest_wait`` or ``counts.longest_wait``
    (else the longest test's duration);
    the instance type from ``target.instance_type`` or
    ``target.deployment.instance_type``; the count from ``target.instance_count``
    or ``target.async_config.instance_count`` (default 1).
    """
    run = results.get("run") or {}
    # The results document keeps the target under run.target; accept both.
    target = results.get("target") or (run.get("target") if isinstance(run, Mapping) else None)
    if not isinstance(target, Mapping) or not target.get("aws"):
        return None
    counted = _number(_first(
            results,
            ("run", "target", "invocations"),
            ("counts", "invocations"),
            ("run", "invocations"),
        ))
    invocations = (
        int(counted) if counted is not None else _test_count(results) * INVOCATIONS_PER_TEST
    )
    duration = _number(run.get("duration")) or 0.0
    longest = _longest_wait(results)
    # The endpoint had to be up at least as long as the longest single wait.
    seconds = max(duration, longest or 0.0)
    instance_type = _first(target, ("instance_type",), ("deployment", "instance_type"))
    instance_count = int(
        _number(_first(target, ("instance_count",), ("async_config", "instance_count"))) or 1
    )
    minutes = seconds / 60.0 * instance_count
    hourly = INSTANCE_HOURLY_USD.get(instance_type) if isinstance(instance_type, str) else None
    requests_usd = invocations * (
        S3_PUTS_PER_INVOCATION * S3_PUT_USD
        + S3_GETS_PER_INVOCATION * S3_GET_USD
        + SNS_PUBLISH_USD
        + SQS_REQUESTS_PER_INVOCATION * SQS_REQUEST_USD
    )
    return CostEstimate(
        invocations=invocations,
        invocations_estimated=counted is None,
        endpoint_minutes=minutes,
        instance_type=instance_type if isinstance(instance_type, str) else None,
        instance_count=instance_count,
        hourly_usd=hourly,
        endpoint_usd=None if hourly is None else hourly * minutes / 60.0,
        requests_usd=requests_usd,
        longest_wait_seconds=longest,
    )
