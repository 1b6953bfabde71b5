"""estimate_run_cost: from the run's own counts, only for real-AWS targets."""

from __future__ import annotations

import pytest

from reports.cost import (
    INSTANCE_HOURLY_USD,
    INVOCATIONS_PER_TEST,
    PRICE_LABEL,
    estimate_run_cost,
)


def _results(**overrides):
    results = {
        "target": {"aws": True, "instance_type": "ml.m5.large", "instance_count": 1},
        "counts": {"invocations": 400},
        "run": {"duration": 1800.0},
    }
    results.update(overrides)
    return results


@pytest.mark.parametrize("target", [{}, {"aws": False}, {"name": "moto"}])
def test_no_estimate_unless_the_target_is_aws(target):
    assert estimate_run_cost({"target": target, "run": {"duration": 10}}) is None
    assert estimate_run_cost({"run": {"target": target, "duration": 10}}) is None


def test_endpoint_time_is_the_run_duration_at_the_list_price():
    estimate = estimate_run_cost(_results())
    assert estimate is not None
    assert estimate.endpoint_minutes == 30.0
    assert estimate.endpoint_usd == pytest.approx(INSTANCE_HOURLY_USD["ml.m5.large"] / 2)
    assert estimate.invocations == 400 and not estimate.invocations_estimated
    assert 0 < estimate.requests_usd < 0.01
    assert estimate.total_usd == pytest.approx(estimate.endpoint_usd + estimate.requests_usd)


def test_instances_multiply_and_the_longest_wait_is_a_floor():
    estimate = estimate_run_cost(
        _results(
            target={"aws": True, "deployment": {"instance_type": "ml.c5.xlarge"},
                    "async_config": {"instance_count": 2}},
            run={"duration": 60.0, "longest_wait": 300.0},
        )
    )  # fmt: skip
    assert estimate is not None
    assert (estimate.instance_type, estimate.instance_count) == ("ml.c5.xlarge", 2)
    assert estimate.endpoint_minutes == 10.0  # 300 s x 2 instances
    assert estimate.longest_wait_seconds == 300.0


def test_the_results_document_shape_counts_tests_once_and_finds_the_longest():
    test_a = {"nodeid": "a", "duration": 4.0}
    test_b = {"nodeid": "b", "duration": 95.0}
    document = {
        "run": {"target": {"aws": True, "instance_type": "ml.m5.large"}, "duration": 600.0},
        "behaviours": [{"tests": [test_a, test_b]}, {"tests": [test_b]}],
        "unmapped_tests": [{"nodeid": "c", "duration": 1.0}],
        "summary": {"counts": {"pass": 3}},
    }
    estimate = estimate_run_cost(document)
    assert estimate is not None
    assert estimate.invocations == 3 * INVOCATIONS_PER_TEST and estimate.invocations_estimated
    assert estimate.longest_wait_seconds == 95.0


def test_an_unknown_instance_type_has_no_total_but_still_prints():
    estimate = estimate_run_cost(_results(target={"aws": True, "instance_type": "ml.x9.huge"}))
    assert estimate is not None and estimate.total_usd is None
    text = str(estimate)
    assert "no list price" in text and "total: unknown" in text


def test_the_text_is_a_few_lines_with_the_price_label():
    text = str(estimate_run_cost(_results()))
    lines = text.splitlines()
    assert 3 <= len(lines) <= 7
    assert PRICE_LABEL in text and "30.0 instance-minutes of 1 x ml.m5.large" in text
    assert "conformance teardown" in text
