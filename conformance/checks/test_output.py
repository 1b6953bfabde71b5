"""Output location guarantees: under S3OutputPath, unique, exactly one outcome,
written where announced, holding exactly what the model returned."""

from __future__ import annotations

import re

import pytest
from hypothesis import strategies as st

from conformance.checks.support import announced_under, require_accepted
from conformance.client import Exchange
from conformance.depth import examples
from conformance.observe import Outcome
from conformance.overlap import Judged, OutcomePlan, Overlap, Values, overlapped
from conformance.probe import new_tag, parse_probe_record, probe_payload, sized_answer
from conformance.s3uri import parse_location
from conformance.session import ConformanceSession
from conformance.violations import Checks

UUID_OUT = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.out$"
)


def _own_output_examples(session: ConformanceSession) -> list[Values]:
    count = max(4, examples("outcome"))
    # Half the requests share one input: each must still get its own output.
    shared = session.put_input(probe_payload(tag=new_tag("output-shared")))
    return [{"index": index, "_input": shared if index % 2 else None} for index in range(count)]


def _send_own_output(session: ConformanceSession, values: Values) -> Exchange:
    extra = {"InputLocation": values["_input"]} if values["_input"] else None
    return session.invoke_probe(probe_payload(tag=new_tag("output")), extra_params=extra)


def _judge_own_outputs(session: ConformanceSession, judged: list[Judged]) -> None:
    config = session.async_config
    assert config is not None
    count = len(judged)
    for _, exchange, _ in judged:
        require_accepted(exchange, purpose="a valid probe request")
    checks = Checks()
    locations: dict[str, int] = {}
    for index, (_, exchange, outcome) in enumerate(judged):
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


OWN_OUTPUTS = OutcomePlan(
    "own_outputs", fixed=_own_output_examples, send=_send_own_output, judge_all=_judge_own_outputs
)


@pytest.mark.behaviour(
    "IEA-OUT-001", "IEA-OUT-002", "IEA-OUT-003", "IEA-OUT-005", "IEA-OUT-007"
)
@overlapped(OWN_OUTPUTS)
def test_each_request_gets_its_own_output_under_the_output_path(
    conformance_overlap: Overlap,
) -> None:
    conformance_overlap.judge(OWN_OUTPUTS)


def _send_sized(session: ConformanceSession, values: Values) -> Exchange:
    return session.invoke_probe(
        probe_payload(
            tag=new_tag("bytes"), body_bytes=values["size"], content_type=values["content_type"]
        )
    )


def _judge_sized(
    session: ConformanceSession, values: Values, exchange: Exchange, outcome: Outcome
) -> None:
    size, content_type = values["size"], values["content_type"]
    require_accepted(exchange, purpose="a probe request for a sized answer")
    checks = Checks()
    output = outcome.output
    expected = sized_answer(size)
    checks.require(
        output is not None and output.body == expected,
        "IEA-OUT-004",
        expected=f"the {size} bytes the model returned",
        observed="no output object"
        if output is None
        else f"{output.size} bytes" + ("" if output.body == expected else ", different content"),
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


SIZED = OutcomePlan(
    "sized_answer",
    strategies=lambda session: {
        "size": st.one_of(st.sampled_from([0, 1, 4095, 65536]), st.integers(0, 200_000)),
        "content_type": st.sampled_from(
            ["application/octet-stream", "text/plain", "application/x-probe", "image/png"]
        ),
    },
    # The edges every run sends, whatever the seed draws: a target that cuts outputs
    # at some size is caught at quick depth too.
    fixed=lambda session: [
        {"size": size, "content_type": "application/octet-stream"} for size in (0, 1, 4095, 65536)
    ],
    send=_send_sized,
    judge=_judge_sized,
)


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-OUT-004", "IEA-OUT-006")
@overlapped(SIZED)
def test_the_output_holds_exactly_what_the_model_returned(conformance_overlap: Overlap) -> None:
    conformance_overlap.judge(SIZED)
