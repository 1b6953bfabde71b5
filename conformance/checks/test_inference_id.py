"""InferenceId: echoed when supplied, generated and unique when not."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given

from conformance.checks.support import require_accepted
from conformance.depth import examples, hypothesis_check
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks, require
from strategies.values import inference_ids

UUID_SHAPE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


@pytest.mark.behaviour("IEA-ID-001")
def test_a_supplied_inference_id_is_echoed_exactly(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    location = session.put_input(probe_payload(tag=new_tag("echo")))

    @hypothesis_check("property")
    @given(inference_id=inference_ids())
    def check(inference_id: str) -> None:
        # Whether a reused InferenceId may be rejected is open: never reuse one.
        assume(not session.inference_id_used(inference_id))
        exchange = session.invoke(
            {
                "EndpointName": session.target.endpoint_name,
                "InputLocation": location,
                "InferenceId": inference_id,
            }
        )
        require_accepted(exchange, purpose="a request with a valid InferenceId")
        require(
            exchange.inference_id == inference_id,
            "IEA-ID-001",
            expected=f"InferenceId {inference_id!r}",
            observed=f"InferenceId {exchange.inference_id!r}",
            exchange=exchange,
        )

    check()


@pytest.mark.behaviour("IEA-ID-002", "IEA-ID-003", "IEA-ID-004")
def test_generated_inference_ids_are_present_and_unique(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    location = session.put_input(probe_payload(tag=new_tag("generated-id")))
    count = max(10, 2 * examples("property"))
    seen: dict[str, int] = {}
    checks = Checks()
    for index in range(count):
        exchange = session.invoke(
            {"EndpointName": session.target.endpoint_name, "InputLocation": location}
        )
        require_accepted(exchange, purpose="a request without InferenceId")
        generated = exchange.inference_id
        if not checks.require(
            isinstance(generated, str) and generated != "",
            "IEA-ID-002",
            expected="a generated, non-empty InferenceId",
            observed=f"InferenceId {generated!r}",
            exchange=exchange,
        ):
            break
        assert generated is not None
        checks.require(
            generated not in seen,
            "IEA-ID-003",
            expected=f"{count} distinct generated InferenceIds",
            observed=f"request {index} got {generated!r}, already given to request "
            f"{seen.get(generated)}",
            exchange=exchange,
        )
        checks.require(
            bool(UUID_SHAPE.match(generated)),
            "IEA-ID-004",
            expected="a UUID-shaped InferenceId (informational)",
            observed=f"InferenceId {generated!r}",
            exchange=exchange,
        )
        seen.setdefault(generated, index)
    checks.done()
