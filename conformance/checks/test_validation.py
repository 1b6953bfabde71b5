"""Validation: every request breaking a constraint gets 400 ValidationError in the
rest-json error shape, and is never queued."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.support import witness_history
from conformance.client import Exchange
from conformance.depth import hypothesis_check
from conformance.judge import Checks
from conformance.observe import parse_location
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from spec.catalogue import load_catalogue
from spec.revisions import CURRENT
from strategies.requests import InvalidRequest, invalid_requests, violations
from strategies.values import endpoint_names

CATALOGUE = load_catalogue()
VALIDATED = sorted({behaviour for _, _, behaviour in violations(CURRENT)})


def judge_rejection(checks: Checks, request: InvalidRequest, exchange: Exchange) -> None:
    """400 ValidationError for a MUST; a 4xx for a SHOULD; the rest-json shape either way."""
    behaviour = request.violation.behaviour
    error_type = exchange.error_type()
    if CATALOGUE.get(behaviour).level == "MUST":
        checks.require(
            exchange.status == 400 and error_type == "ValidationError",
            behaviour,
            expected=f"400 ValidationError ({request.violation.detail})",
            observed=f"status {exchange.status}, error type {error_type!r}",
            exchange=exchange,
        )
    else:
        checks.require(
            400 <= exchange.status < 500,
            behaviour,
            expected=f"a 4xx rejection ({request.violation.detail})",
            observed=f"status {exchange.status}",
            exchange=exchange,
        )
    if exchange.status == 400:
        message = exchange.error_message()
        checks.require(
            error_type is not None and isinstance(exchange.json(), dict) and bool(message),
            "IEA-VAL-026",
            expected="the rest-json error shape: X-Amzn-ErrorType (or __type/code) and a JSON "
            "body with a non-empty message",
            observed=f"error type {error_type!r}, body {exchange.response.body[:200]!r}",
            exchange=exchange,
        )


@pytest.mark.parametrize(
    "behaviour",
    [pytest.param(b, marks=pytest.mark.behaviour(b, "IEA-VAL-026"), id=b) for b in VALIDATED],
)
def test_an_invalid_request_is_rejected_with_validation_error(
    conformance_session: ConformanceSession, behaviour: str
) -> None:
    session = conformance_session
    if behaviour not in {b for _, _, b in violations(session.target.revision)}:
        pytest.skip(f"{behaviour} has no constraint at revision {session.target.revision}")
    location = session.put_input(probe_payload(tag=new_tag("invalid")))

    @hypothesis_check("property")
    @given(
        request=invalid_requests(
            revision=session.target.revision,
            endpoint_name=session.target.endpoint_name,
            input_location=location,
            behaviours=[behaviour],
        )
    )
    def check(request: InvalidRequest) -> None:
        exchange = session.invoke(request.params)
        checks = Checks()
        judge_rejection(checks, request, exchange)
        checks.done()

    check()


@pytest.mark.behaviour("IEA-VAL-022")
def test_a_rejected_request_is_never_queued(conformance_session: ConformanceSession) -> None:
    """One invalid request per constraint, each tagged; none may run or notify."""
    session = conformance_session
    judged = [b for _, _, b in violations(session.target.revision)]

    @hypothesis_check("property", shrink=False, max_examples=1)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        sent: list[tuple[str, str | None, Exchange]] = []
        for behaviour in dict.fromkeys(judged):
            tag = new_tag("rejected")
            location = session.put_input(probe_payload(tag=tag))
            request = data.draw(
                invalid_requests(
                    revision=session.target.revision,
                    endpoint_name=session.target.endpoint_name,
                    input_location=location,
                    behaviours=[behaviour],
                ),
                label=behaviour,
            )
            params = dict(request.params)
            inference_id = None
            if request.violation.member != "InferenceId":
                inference_id = f"rejected-{uuid.uuid4().hex}"
                params["InferenceId"] = inference_id
            sent.append((tag, inference_id, session.invoke(params)))
        checks = Checks()
        rejected = [(t, i, e) for t, i, e in sent if e.status >= 400]
        if not rejected:
            # Nothing was rejected, so nothing could be queued or not: no verdict
            # (each request that should have been rejected fails its own behaviour).
            return
        witnessed = witness_history(session, checks) if session.target.probe else None
        if witnessed is not None:
            record, witness, outcome = witnessed
            ran = [t for t, _, _ in rejected if t in record.history]
            checks.require(
                not ran,
                "IEA-VAL-022",
                expected=f"none of {len(rejected)} rejected requests processed by the model",
                observed=f"the model processed {ran}",
                exchange=witness,
                observations=outcome.to_evidence(),
            )
        for tag, _, exchange in rejected:
            announced = [exchange.output_location, exchange.failure_location]
            objects = [session.observer.fetch(parse_location(a)) for a in announced if a]
            checks.require(
                not any(objects),
                "IEA-VAL-022",
                expected="no output or failure object for a rejected request",
                observed=f"request {tag} was answered {exchange.status} yet objects exist at "
                f"{[a for a in announced if a]}",
                exchange=exchange,
            )
        if session.inbox is not None:
            session.inbox.poll_for(session.timing.absence_window)
            notified = [i for _, i, _ in rejected if i and session.inbox.for_inference(i)]
            checks.require(
                not notified,
                "IEA-VAL-022",
                expected="no notification for a rejected request",
                observed=f"notifications for InferenceIds {notified}",
            )
        checks.done()

    check()


@pytest.mark.behaviour("IEA-VAL-023")
def test_an_unknown_endpoint_is_a_validation_error(conformance_session: ConformanceSession) -> None:
    session = conformance_session
    location = session.put_input(probe_payload(tag=new_tag("unknown-endpoint")))

    @hypothesis_check("property")
    @given(name=endpoint_names(min_size=20).filter(lambda n: n != session.target.endpoint_name))
    def check(name: str) -> None:
        exchange = session.invoke({"EndpointName": name, "InputLocation": location})
        checks = Checks()
        checks.require(
            exchange.status == 400 and exchange.error_type() == "ValidationError",
            "IEA-VAL-023",
            expected=f"400 ValidationError for endpoint {name!r}, which does not exist",
            observed=f"status {exchange.status}, error type {exchange.error_type()!r}",
            exchange=exchange,
        )
        checks.done()

    check()
