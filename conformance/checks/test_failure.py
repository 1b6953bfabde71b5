"""Failure location guarantees: a failed invocation writes its failure, and only that."""

from __future__ import annotations

import pytest

from conformance.checks.support import announced_under, require_accepted
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks

pytestmark = pytest.mark.needs_probe


@pytest.mark.behaviour("IEA-FAIL-001", "IEA-FAIL-002", "IEA-FAIL-003", "IEA-FAIL-004")
def test_a_model_error_writes_a_failure_object_and_no_output(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    config = session.async_config
    assert config is not None
    if not config.s3_failure_path:
        pytest.skip("the endpoint config has no S3FailurePath")
    statuses = [500, 400, 503]
    exchanges = [
        session.invoke_probe(probe_payload(tag=new_tag("model-error"), status=status))
        for status in statuses
    ]
    for exchange in exchanges:
        require_accepted(exchange, purpose="a valid request whose model will fail")
    outcomes = session.wait_for_outcomes(exchanges)
    checks = Checks()
    seen: set[str] = set()
    for status, exchange, outcome in zip(statuses, exchanges, outcomes, strict=True):
        checks.require(
            outcome.failure is not None,
            "IEA-FAIL-001",
            expected=f"a failure object at the announced FailureLocation (model answered {status})",
            observed=f"outcome {outcome.kind} after {outcome.waited:.1f} s",
            exchange=exchange,
            observations=outcome.to_evidence(),
        )
        if outcome.kind != "none":
            # Nothing written anywhere shows no failure handled, so it is no verdict
            # on FAIL-002 (FAIL-001 already fails that request).
            checks.require(
                outcome.output is None,
                "IEA-FAIL-002",
                expected=f"nothing at OutputLocation (model answered {status})",
                observed=f"an output object of {outcome.output.size if outcome.output else 0} "
                "bytes",
                exchange=exchange,
                observations=outcome.to_evidence(),
            )
        location = exchange.failure_location
        checks.require(
            announced_under(location, config.s3_failure_path) and location not in seen,
            "IEA-FAIL-003",
            expected=f"a FailureLocation under {config.s3_failure_path}, unique per request",
            observed=f"FailureLocation {location!r}"
            + (" (announced twice)" if location in seen else ""),
            exchange=exchange,
        )
        seen.add(location or "")
        if outcome.failure is not None:
            checks.require(
                outcome.failure.size > 0,
                "IEA-FAIL-004",
                expected="a non-empty failure object describing the error",
                observed="an empty failure object",
                exchange=exchange,
                observations=outcome.to_evidence(),
            )
    checks.done()
