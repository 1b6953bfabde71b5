"""Output location guarantees: under S3OutputPath, unique, exactly one outcome,
written where announced, holding exactly what the model returned."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.support import announced_under, require_accepted
from conformance.depth import examples, hypothesis_check
from conformance.observe import parse_location
from conformance.probe import new_tag, parse_probe_record, probe_payload, sized_answer
from conformance.session import ConformanceSession
from conformance.violations import Checks

UUID_OUT = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.out$"
)


@pytest.mark.behaviour(
    "IEA-OUT-001", "IEA-OUT-002", "IEA-OUT-003", "IEA-OUT-005", "IEA-OUT-007"
)
def test_each_request_gets_its_own_output_under_the_output_path(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    config = session.async_config
    assert config is not None
    count = max(4, examples("outcome"))
    # Half the requests share one input: each must still get its own output.
    shared = session.put_input(probe_payload(tag=new_tag("output-shared")))
    exchanges = [
        session.invoke_probe(
            probe_payload(tag=new_tag("output")),
            extra_params={"InputLocation": shared} if index % 2 else None,
        )
        for index in range(count)
    ]
    for exchange in exchanges:
        require_accepted(exchange, purpose="a valid probe request")
    outcomes = session.wait_for_outcomes(exchanges)
    checks = Checks()
    locations: dict[str, int] = {}
    for index, (exchange, outcome) in enumerate(zip(exchanges, outcomes, strict=True)):
        announced = exchange.output_location
        checks.require(
            announced_under(announced, config.s3_output_path),
            "IEA-OUT-001",
            expected=f"an OutputLocation under S3OutputPath {config.s3_output_path}",
            observed=f"OutputLocation {announced!r}",
            exchange=exchange,
        )
        checks.require(
            announced is not None and announced not in locations,
            "IEA-OUT-002",
            expected=f"{count} distinct OutputLocations",
            observed=f"request {index} got {announced!r}, already announced for request "
            f"{locations.get(announced or '')}",
            exchange=exchange,
        )
        locations.setdefault(announced or "", index)
        checks.require(
            outcome.kind in {"output", "failure"},
            "IEA-OUT-003",
            expected="exactly one outcome: an output object or a failure",
            observed=f"{outcome.kind} after {outcome.waited:.1f} s",
            exchange=exchange,
            observations=outcome.to_evidence(),
        )
        if outcome.kind == "output" and session.target.probe:
            checks.require(
                parse_probe_record(outcome.output.body) is not None,  # type: ignore[union-attr]
                "IEA-OUT-005",
                expected=f"the probe's output at the announced {announced}",
                observed="an object there that is not this request's probe record",
                exchange=exchange,
                observations=outcome.to_evidence(),
            )
        elif session.target.probe:
            checks.require(
                False,
                "IEA-OUT-005",
                expected=f"the output object at the announced {announced}",
                observed=f"outcome {outcome.kind} after {outcome.waited:.1f} s",
                exchange=exchange,
                observations=outcome.to_evidence(),
            )
        location = parse_location(announced)
        name = location.key.rsplit("/", 1)[-1] if location else ""
        prefix = parse_location(config.s3_output_path.rstrip("/") + "/")
        parent = location.key.rsplit("/", 1)[0] + "/" if location and "/" in location.key else ""
        checks.require(
            bool(UUID_OUT.match(name)) and prefix is not None and parent == (prefix.key or ""),
            "IEA-OUT-007",
            expected="a <uuid>.out object directly under S3OutputPath (informational)",
            observed=f"OutputLocation {announced!r}",
            exchange=exchange,
        )
    checks.done()


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-OUT-004", "IEA-OUT-006")
def test_the_output_holds_exactly_what_the_model_returned(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session

    @hypothesis_check("outcome")
    @given(
        size=st.one_of(st.sampled_from([0, 1, 4095, 65536]), st.integers(0, 200_000)),
        content_type=st.sampled_from(
            ["application/octet-stream", "text/plain", "application/x-probe", "image/png"]
        ),
    )
    def check(size: int, content_type: str) -> None:
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("bytes"), body_bytes=size, content_type=content_type)
        )
        require_accepted(exchange, purpose="a probe request for a sized answer")
        outcome = session.wait_for_outcome(exchange)
        checks = Checks()
        output = outcome.output
        expected = sized_answer(size)
        checks.require(
            output is not None and output.body == expected,
            "IEA-OUT-004",
            expected=f"the {size} bytes the model returned",
            observed="no output object"
            if output is None
            else f"{output.size} bytes"
            + ("" if output.body == expected else ", different content"),
            exchange=exchange,
            observations=outcome.to_evidence(),
        )
        if output is not None:
            checks.require(
                (output.content_type or "").split(";")[0].strip() == content_type,
                "IEA-OUT-006",
                expected=f"Content-Type {content_type!r} on the output object",
                observed=f"Content-Type {output.content_type!r}",
                exchange=exchange,
            )
        checks.done()

    check()
