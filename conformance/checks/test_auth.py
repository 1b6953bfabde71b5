"""SigV4: unsigned, wrongly signed, unknown-key, stale and tampered requests get 403."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance.checks.support import witness_history
from conformance.client import Exchange, Signing
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks

AUTH_ERRORS = {
    "IEA-AUTH-001": {"MissingAuthenticationTokenException", "MissingAuthenticationToken",
                     "IncompleteSignatureException"},
    "IEA-AUTH-002": {"InvalidSignatureException", "SignatureDoesNotMatch"},
    "IEA-AUTH-003": {"UnrecognizedClientException", "InvalidClientTokenId"},
    "IEA-AUTH-004": {"InvalidSignatureException", "SignatureDoesNotMatch", "RequestExpired"},
    "IEA-AUTH-005": {"InvalidSignatureException", "SignatureDoesNotMatch"},
}


def _send(session: ConformanceSession, signing: Signing, tag: str) -> Exchange:
    location = session.put_input(probe_payload(tag=tag))
    params = {"EndpointName": session.target.endpoint_name, "InputLocation": location}
    return session.invoke(params, signing=signing)


def _faults() -> dict[str, Signing]:
    return {
        "IEA-AUTH-001": Signing(sign=False),
        "IEA-AUTH-002": Signing(secret_key="wrong-secret-" + "x" * 28),
        "IEA-AUTH-003": Signing(
            access_key="AKIAUNKNOWNCONFORMAN", secret_key="unknown-" + "y" * 32
        ),
        "IEA-AUTH-004": Signing(date=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)),
        "IEA-AUTH-005": Signing(signed_body=b"{\"tampered\": true}"),
    }


@pytest.mark.behaviour(
    "IEA-AUTH-001", "IEA-AUTH-002", "IEA-AUTH-003", "IEA-AUTH-004", "IEA-AUTH-005", "IEA-AUTH-006"
)
def test_requests_failing_sigv4_are_rejected_with_403(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    checks = Checks()
    tags: dict[str, str] = {}
    for behaviour, signing in _faults().items():
        tag = new_tag(behaviour.lower())
        tags[behaviour] = tag
        exchange = _send(session, signing, tag)
        checks.require(
            exchange.status == 403,
            behaviour,
            expected="status 403",
            observed=f"status {exchange.status}",
            exchange=exchange,
        )
        if exchange.status == 403:
            checks.require(
                exchange.error_type() in AUTH_ERRORS[behaviour],
                "IEA-AUTH-006",
                expected=f"error type one of {sorted(AUTH_ERRORS[behaviour])}",
                observed=f"error type {exchange.error_type()!r}",
                exchange=exchange,
            )
    witnessed = witness_history(session, checks) if session.target.probe else None
    if witnessed is not None:
        record, exchange, outcome = witnessed
        ran = {b: t for b, t in tags.items() if t in record.history}
        for behaviour in ran:
            checks.require(
                False,
                behaviour,
                expected="a rejected request never reaches the model",
                observed=f"the model processed it (tag {ran[behaviour]} in the probe's history)",
                exchange=exchange,
                observations=outcome.to_evidence(),
            )
    checks.done()
