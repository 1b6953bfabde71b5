"""Validation: every request breaking a constraint gets 400 ValidationError in the
rest-json error shape, and is never queued.

What only non-ASCII or white space can break (``spec.contract.HEADER_OCTET_RULE``)
is judged so that the verdict holds on any faithful HTTP front end: the MUST is
"rejected, with 400 ValidationError or a 403 signature error, and never queued";
400 ValidationError itself is the SHOULD it maps to, judged once over every answer.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.support import witness_history
from conformance.client import Exchange
from conformance.depth import hypothesis_check
from conformance.observe import parse_location
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks, note, require
from spec.catalogue import load_catalogue
from spec.contract import HEADER_OCTET_RULE, HEADER_OCTET_RULE_TEXT, SIGNATURE_ERROR_TYPES
from spec.revisions import CURRENT
from strategies.requests import InvalidRequest, invalid_requests, violations
from strategies.values import endpoint_names

CATALOGUE = load_catalogue()
VALIDATED = sorted({behaviour for _, _, behaviour in violations(CURRENT)})


def answer(exchange: Exchange) -> str:
    """The answer in a few words: ``400 ValidationError``, ``403 InvalidSignatureException``."""
    error_type = exchange.error_type()
    return f"{exchange.status} {error_type}" if error_type else f"{exchange.status} (untyped)"


def is_validation_error(exchange: Exchange) -> bool:
    return exchange.status == 400 and exchange.error_type() == "ValidationError"


def is_signature_error(exchange: Exchange) -> bool:
    return exchange.status == 403 and exchange.error_type() in SIGNATURE_ERROR_TYPES


def judge_rule_answer(checks: Checks, behaviour: str, exchange: Exchange, what: str) -> None:
    """The header-octet rule's answer: 400 ValidationError or a 403 signature error."""
    checks.require(
        is_validation_error(exchange) or is_signature_error(exchange),
        behaviour,
        expected=f"400 ValidationError or 403 {' or '.join(SIGNATURE_ERROR_TYPES)} ({what}): "
        f"{HEADER_OCTET_RULE_TEXT}",
        observed=f"status {exchange.status}, error type {exchange.error_type()!r}",
        exchange=exchange,
    )


def judge_rejection(checks: Checks, request: InvalidRequest, exchange: Exchange) -> None:
    """400 ValidationError for a MUST (or a 403 signature error under the header-octet rule);
    a 4xx for a SHOULD; the rest-json shape either way."""
    behaviour = request.violation.behaviour
    error_type = exchange.error_type()
    if behaviour in HEADER_OCTET_RULE:
        judge_rule_answer(checks, behaviour, exchange, request.violation.detail)
    elif CATALOGUE.get(behaviour).level == "MUST":
        checks.require(
            is_validation_error(exchange),
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


def tally(exchanges: list[Exchange]) -> str:
    counts: dict[str, int] = {}
    for exchange in exchanges:
        counts[answer(exchange)] = counts.get(answer(exchange), 0) + 1
    return ", ".join(f"{a} x{n}" for a, n in sorted(counts.items()))


def judge_preferred_answer(behaviour: str, answered: list[Exchange]) -> None:
    """After the rule's MUST held on every request: say which answers the target gave, and
    judge the SHOULD that asks for 400 ValidationError itself."""
    if not answered:
        return
    note(
        behaviour,
        f"answers to {len(answered)} requests: {tally(answered)}; both 400 ValidationError "
        f"and a 403 signature error are accepted: {HEADER_OCTET_RULE_TEXT}",
    )
    others = [e for e in answered if not is_validation_error(e)]
    require(
        not others,
        HEADER_OCTET_RULE[behaviour],
        expected=f"400 ValidationError for each of {len(answered)} requests (SHOULD; the MUST "
        f"{behaviour} also accepts a 403 signature error, and held)",
        observed=f"{len(others)} answered otherwise: {tally(others)}",
        exchange=others[0] if others else None,
    )


def _marks(behaviour: str) -> pytest.MarkDecorator:
    preferred = (HEADER_OCTET_RULE[behaviour],) if behaviour in HEADER_OCTET_RULE else ()
    return pytest.mark.behaviour(behaviour, *preferred, "IEA-VAL-026")


@pytest.mark.parametrize(
    "behaviour",
    [pytest.param(b, marks=_marks(b), id=b) for b in VALIDATED],
)
def test_an_invalid_request_is_rejected_with_validation_error(
    conformance_session: ConformanceSession, behaviour: str
) -> None:
    session = conformance_session
    if behaviour not in {b for _, _, b in violations(session.target.revision)}:
        pytest.skip(f"{behaviour} has no constraint at revision {session.target.revision}")
    location = session.put_input(probe_payload(tag=new_tag("invalid")))
    answered: list[Exchange] = []

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
        answered.append(exchange)

    check()
    if behaviour in HEADER_OCTET_RULE:
        judge_preferred_answer(behaviour, answered)


@pytest.mark.behaviour("IEA-VAL-022", *sorted(HEADER_OCTET_RULE))
def test_a_rejected_request_is_never_queued(conformance_session: ConformanceSession) -> None:
    """One invalid request per constraint, each tagged; none may run, be written or notify.

    Judged for IEA-VAL-022 over every rejected request, and for each behaviour of the
    header-octet rule over its own request (its answer too: 400 or a 403 signature error).
    """
    session = conformance_session
    judged = [b for _, _, b in violations(session.target.revision)]

    @hypothesis_check("property", shrink=False, max_examples=1)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        sent: list[tuple[str, str, str | None, Exchange]] = []
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
            sent.append((behaviour, tag, inference_id, session.invoke(params)))
        checks = Checks()
        ruled = [(b, t, i, e) for b, t, i, e in sent if b in HEADER_OCTET_RULE]
        for behaviour, tag, _, exchange in ruled:
            judge_rule_answer(checks, behaviour, exchange, f"request {tag}")
        rejected = [(b, t, i, e) for b, t, i, e in sent if e.status >= 400]
        if not rejected:
            # Nothing was rejected, so nothing could be queued or not: no verdict on
            # IEA-VAL-022 (each request that should have been rejected fails its own).
            checks.done()
            return
        # IEA-VAL-022 over every rejected request; each rule behaviour over its own.
        groups = {"IEA-VAL-022": rejected}
        for behaviour, *_ in ruled:
            groups[behaviour] = [r for r in rejected if r[0] == behaviour]
        witnessed = witness_history(session, checks) if session.target.probe else None
        if witnessed is not None:
            record, witness, outcome = witnessed
            for judged_as, group in groups.items():
                ran = [t for _, t, _, _ in group if t in record.history]
                checks.require(
                    not ran,
                    judged_as,
                    expected=f"none of {len(group)} rejected requests processed by the model",
                    observed=f"the model processed {ran}",
                    exchange=witness,
                    observations=outcome.to_evidence(),
                )
        for behaviour, tag, _, exchange in rejected:
            announced = [exchange.output_location, exchange.failure_location]
            objects = [session.observer.fetch(parse_location(a)) for a in announced if a]
            for judged_as in ("IEA-VAL-022", behaviour):
                if judged_as not in groups:
                    continue
                checks.require(
                    not any(objects),
                    judged_as,
                    expected="no output or failure object for a rejected request",
                    observed=f"request {tag} was answered {exchange.status} yet objects exist "
                    f"at {[a for a in announced if a]}",
                    exchange=exchange,
                )
        if session.inbox is not None:
            session.inbox.poll_for(session.timing.absence_window)
            for judged_as, group in groups.items():
                notified = [i for _, _, i, _ in group if i and session.inbox.for_inference(i)]
                checks.require(
                    not notified,
                    judged_as,
                    expected="no notification for a rejected request",
                    observed=f"notifications for InferenceIds {notified}",
                )
        for behaviour, tag, _, exchange in ruled:
            note(
                behaviour,
                f"request {tag} answered {answer(exchange)} and was never run, written or "
                f"notified; {HEADER_OCTET_RULE_TEXT}",
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
