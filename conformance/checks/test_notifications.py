"""Notifications: one SNS message per request, to the right topic, with the right fields."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from conformance.checks.support import require_accepted
from conformance.client import Exchange
from conformance.observe import Notification, Outcome
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks

SUCCESS_FIELDS = (
    "awsRegion",
    "eventTime",
    "receivedTime",
    "invocationStatus",
    "requestParameters",
    "responseParameters",
    "inferenceId",
    "eventVersion",
    "eventSource",
    "eventName",
)
RESPONSE_BODY_LIMIT = 128 * 1024


@pytest.fixture
def inbox_session(conformance_session: ConformanceSession) -> ConformanceSession:
    if conformance_session.inbox is None:
        pytest.skip("the endpoint config has no NotificationConfig topics")
    return conformance_session


def _collect(session: ConformanceSession, inference_id: str | None) -> list[Notification]:
    assert session.inbox is not None
    if not inference_id:
        return []
    # Read past the first message for a while: a duplicate must be seen to be judged.
    return session.inbox.wait_for(
        inference_id,
        deadline=session.outcome_deadline,
        settle=session.timing.absence_window,
    )


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _one_message(
    session: ConformanceSession,
    checks: Checks,
    behaviour: str,
    *,
    topic: str | None,
    topic_name: str,
    model_status: int | None = None,
) -> tuple[Exchange, Outcome, dict[str, Any], list[dict[str, Any]]]:
    """Invoke the probe (failing with ``model_status``); exactly one message must reach
    ``topic``. Returns the exchange, outcome, that message and the evidence."""
    exchange = session.invoke_probe(
        probe_payload(tag=new_tag(f"notify-{topic_name}"), status=model_status)
    )
    require_accepted(exchange, purpose=f"a request whose model answers {model_status or 200}")
    outcome = session.wait_for_outcome(exchange)
    messages = _collect(session, exchange.inference_id)
    evidence = [*outcome.to_evidence(), *(m.to_evidence() for m in messages)]
    on_topic = [m for m in messages if m.topic_arn == topic]
    if not checks.require(
        len(messages) == 1 and len(on_topic) == 1,
        behaviour,
        expected=f"exactly one message on {topic_name} {topic}",
        observed=f"{len(messages)} messages, {len(on_topic)} on {topic_name}",
        exchange=exchange,
        observations=evidence,
    ):
        checks.done()
    return exchange, outcome, messages[0].message or {}, evidence


def _missing(message: dict[str, Any] | None, fields: tuple[str, ...]) -> list[str]:
    if not isinstance(message, dict):
        return list(fields)
    return [f for f in fields if f not in message]


@pytest.mark.behaviour("IEA-NOTIF-001", "IEA-NOTIF-003", "IEA-NOTIF-005", "IEA-NOTIF-006")
def test_a_success_publishes_one_complete_message(inbox_session: ConformanceSession) -> None:
    session = inbox_session
    config = session.async_config
    assert config is not None
    checks = Checks()
    exchange, outcome, message, evidence = _one_message(
        session, checks, "IEA-NOTIF-001", topic=config.success_topic, topic_name="SuccessTopic"
    )
    missing = _missing(message, SUCCESS_FIELDS)
    fixed = {
        "invocationStatus": "Completed",
        "eventVersion": "1.0",
        "eventSource": "aws:sagemaker",
        "eventName": "InferenceResult",
    }
    wrong = {k: message.get(k) for k, v in fixed.items() if message.get(k) != v}
    response_parameters = message.get("responseParameters") or {}
    checks.require(
        not missing and not wrong and isinstance(response_parameters, dict)
        and "outputLocation" in response_parameters,
        "IEA-NOTIF-003",
        expected=f"fields {', '.join(SUCCESS_FIELDS)} with {fixed} and "
        "responseParameters.outputLocation",
        observed=f"missing {missing}, wrong values {wrong}",
        exchange=exchange,
        observations=evidence,
    )
    checks.require(
        message.get("inferenceId") == exchange.inference_id
        and isinstance(response_parameters, dict)
        and response_parameters.get("outputLocation") == exchange.output_location,
        "IEA-NOTIF-005",
        expected=f"inferenceId {exchange.inference_id!r} and outputLocation "
        f"{exchange.output_location!r} as in the 202 response",
        observed=f"inferenceId {message.get('inferenceId')!r}, outputLocation "
        f"{_get(response_parameters, 'outputLocation')!r}",
        exchange=exchange,
        observations=evidence,
    )
    if "SUCCESS_NOTIFICATION_TOPIC" in config.include_inference_response_in and outcome.output:
        body = message.get("responseBody") or {}
        content = body.get("content") if isinstance(body, dict) else None
        try:
            decoded = base64.b64decode(content or "", validate=True)
        except ValueError:
            decoded = None
        small = outcome.output.size <= RESPONSE_BODY_LIMIT
        checks.require(
            not small
            or (decoded == outcome.output.body and body.get("encoding") == "BASE64"),
            "IEA-NOTIF-006",
            expected="responseBody.content = the output, base64, encoding BASE64 "
            "(IncludeInferenceResponseIn names SUCCESS_NOTIFICATION_TOPIC)",
            observed="no responseBody"
            if not body
            else "a responseBody that differs from the output",
            exchange=exchange,
            observations=evidence,
        )
    checks.done()


@pytest.mark.needs_probe
@pytest.mark.behaviour("IEA-NOTIF-002", "IEA-NOTIF-004", "IEA-NOTIF-007")
def test_a_failure_publishes_one_error_message(inbox_session: ConformanceSession) -> None:
    session = inbox_session
    config = session.async_config
    assert config is not None
    checks = Checks()
    exchange, _, message, evidence = _one_message(
        session, checks, "IEA-NOTIF-002", topic=config.error_topic, topic_name="ErrorTopic",
        model_status=500,
    )  # fmt: skip
    reason = message.get("failureReason")
    checks.require(
        message.get("invocationStatus") == "Failed"
        and isinstance(reason, str)
        and reason.strip() != ""
        and message.get("inferenceId") == exchange.inference_id,
        "IEA-NOTIF-004",
        expected="invocationStatus 'Failed', a failureReason, "
        f"inferenceId {exchange.inference_id!r}",
        observed=f"invocationStatus {message.get('invocationStatus')!r}, failureReason "
        f"{reason!r}, inferenceId {message.get('inferenceId')!r}",
        exchange=exchange,
        observations=evidence,
    )
    checks.require(
        isinstance(reason, str) and ("500" in reason or "error" in reason.lower()),
        "IEA-NOTIF-007",
        expected="a failureReason naming the model error (informational)",
        observed=f"failureReason {reason!r}",
        exchange=exchange,
        observations=evidence,
    )
    checks.done()
