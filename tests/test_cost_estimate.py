"""estimate_run_cost: from the results document's own counts, only for real-AWS targets.

Every document here is built the way the plugin builds one and passes the results
schema, so the estimate is proven on what a run can actually write.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from test_reports_support import passed, sample_run

from reports.cost import INSTANCE_HOURLY_USD, INVOCATIONS_PER_TEST, PRICE_LABEL, estimate_run_cost
from reports.records import TestRecord
from reports.results import Results, build_results
from reports.schema import validate_results
from spec.catalogue import load_catalogue

AWS = {"aws": True, "instance_type": "ml.m5.large", "instance_count": 1, "invocations": 400}


def _results(
    target: dict[str, Any], *, duration: float = 1800.0, records: list[TestRecord] | None = None
) -> Results:
    run = sample_run()
    run = dataclasses.replace(run, target={**run.target, **target}, duration=duration)
    results = build_results(run, records or [passed("IEA-WIRE-001")], load_catalogue())
    validate_results(results.to_dict())  # a document the schema allows, as a run writes it
    return results


@pytest.mark.parametrize("target", [{}, {"aws": False}, {"name": "moto"}])
def test_no_estimate_unless_the_target_is_aws(target: dict[str, Any]) -> None:
    assert estimate_run_cost(_results(target, duration=10)) is None


def test_endpoint_time_is_the_run_duration_at_the_list_price() -> None:
    estimate = estimate_run_cost(_results(AWS))
    assert estimate is not None
    assert estimate.endpoint_minutes == 30.0
    assert estimate.endpoint_usd == pytest.approx(INSTANCE_HOURLY_USD["ml.m5.large"] / 2)
    assert estimate.invocations == 400 and not estimate.invocations_estimated
    assert 0 < estimate.requests_usd < 0.01
    assert estimate.total_usd == pytest.approx(estimate.endpoint_usd + estimate.requests_usd)


def test_instances_multiply_and_the_longest_wait_is_a_floor() -> None:
    target = {"aws": True, "instance_type": "ml.c5.xlarge", "longest_wait": 300.0,
              "async_config": {"instance_count": 2}}  # fmt: skip
    estimate = estimate_run_cost(_results(target, duration=60.0))
    assert estimate is not None
    assert (estimate.instance_type, estimate.instance_count) == ("ml.c5.xlarge", 2)
    assert estimate.endpoint_minutes == 10.0  # 300 s x 2 instances
    assert estimate.longest_wait_seconds == 300.0


def test_without_counts_tests_are_counted_once_and_the_longest_is_the_wait() -> None:
    records = [
        TestRecord("a", ("IEA-OUT-001", "IEA-OUT-002"), "passed", 4.0),
        TestRecord("b", ("IEA-OUT-002",), "passed", 95.0),
        TestRecord("c", ("IEA-NOPE-001",), "passed", 1.0),  # unmapped
    ]
    target = {"aws": True, "instance_type": "ml.m5.large"}
    estimate = estimate_run_cost(_results(target, duration=600.0, records=records))
    assert estimate is not None
    assert estimate.invocations == 3 * INVOCATIONS_PER_TEST and estimate.invocations_estimated
    assert estimate.longest_wait_seconds == 95.0


def test_an_unknown_instance_type_has_no_total_but_still_prints() -> None:
    estimate = estimate_run_cost(_results({"aws": True, "instance_type": "ml.x9.huge"}))
    assert estimate is not None and estimate.total_usd is None
    text = str(estimate)
    assert "no list price" in text and "total: unknown" in text


def test_the_text_is_a_few_lines_with_the_price_label() -> None:
    text = str(estimate_run_cost(_results(AWS)))
    lines = text.splitlines()
    assert 3 <= len(lines) <= 7
    assert PRICE_LABEL in text and "30.0 instance-minutes of 1 x ml.m5.large" in text
    assert "conformance teardown" in text
