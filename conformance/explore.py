"""``conformance explore`` underneath: one designed request per open question.

Nothing here judges: each probe returns what the target did (statuses, error
types, locations, what the model received, failure texts), so that someone with
access to real SageMaker can settle the question in FACTS.md and attach the
transcript (``--record``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.client import Exchange, HarnessError
from conformance.observe import Outcome
from conformance.session import ConformanceSession
from conformance.transcript import secrets_now
from reports.redact import redact
from spec.questions import Question, load_questions

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TEXT_LIMIT = 600


@dataclass(frozen=True)
class Answer:
    question: Question
    observed: dict[str, Any]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "question": self.question.question,
            "facts": self.question.facts,
            "behaviours": list(self.question.behaviours),
            "design": self.question.design,
            "observed": self.observed,
            "answer": self.summary,
        }


def _payload(**instructions: Any) -> bytes:
    return json.dumps(instructions, sort_keys=True).encode()


def _answer(exchange: Exchange) -> dict[str, Any]:
    return {
        "status": exchange.status,
        "error_type": exchange.error_type(),
        "message": (exchange.error_message() or "")[:TEXT_LIMIT] or None,
        "inference_id": exchange.inference_id,
        "output_location": exchange.output_location,
        "failure_location": exchange.failure_location,
    }


def _text(body: bytes | None) -> str | None:
    if body is None:
        return None
    return body[:TEXT_LIMIT].decode("utf-8", "replace")


def _outcome(session: ConformanceSession, exchange: Exchange) -> Outcome | None:
    if not (200 <= exchange.status < 300):
        return None
    return session.wait_for_outcome(exchange)


def _received(outcome: Outcome | None) -> dict[str, Any] | None:
    """What the probe says it received (None when the output is not a probe record)."""
    if outcome is None or outcome.output is None:
        return None
    try:
        record = json.loads(outcome.output.body)
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("probe") == 1 else None


def _status_line(exchange: Exchange) -> str:
    error = exchange.error_type()
    return f"{exchange.status}" + (f" {error}" if error else "")


def non_ascii_header(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    exchange = session.invoke_probe(
        _payload(tag="explore-non-ascii"),
        extra_params={"ContentType": "text/plain; charset=caf\u00e9"},
    )
    return {"response": _answer(exchange)}, f"answered {_status_line(exchange)}"


def whitespace_header(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    sent = "a\tb  c"
    exchange = session.invoke_probe(
        _payload(tag="explore-whitespace"), extra_params={"CustomAttributes": sent}
    )
    record = _received(_outcome(session, exchange))
    got = None
    if record is not None:
        headers = {k.lower(): v for k, v in record.get("headers", {}).items()}
        got = headers.get("x-amzn-sagemaker-custom-attributes")
    observed = {"response": _answer(exchange), "sent": sent, "model_received": got}
    if got is None:
        return observed, f"answered {_status_line(exchange)}; the model's record is not readable"
    verdict = "verbatim" if got == sent else f"altered to {got!r}"
    return observed, f"answered {_status_line(exchange)}; the model received {verdict}"


def reused_inference_id(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    inference_id = f"explore-reuse-{session.run_id[-6:]}"
    first = session.invoke_probe(
        _payload(tag="explore-reuse-1"), extra_params={"InferenceId": inference_id}
    )
    second = session.invoke_probe(
        _payload(tag="explore-reuse-2"), extra_params={"InferenceId": inference_id}
    )
    observed = {"first": _answer(first), "second": _answer(second)}
    same = first.output_location == second.output_location
    return observed, (
        f"first {_status_line(first)}, second {_status_line(second)}"
        + ("; both share one OutputLocation" if same and first.output_location else "")
    )


def generated_inference_id(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    exchange = session.invoke_probe(_payload(tag="explore-generated-id"))
    value = exchange.inference_id
    shape = "absent" if not value else ("UUID-shaped" if _UUID.match(value) else "not a UUID")
    return {"response": _answer(exchange), "shape": shape}, (
        f"answered {_status_line(exchange)}; generated InferenceId {value!r} is {shape}"
    )


def output_name(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    exchange = session.invoke_probe(_payload(tag="explore-output-name"))
    location = exchange.output_location or ""
    name = location.rsplit("/", 1)[-1]
    inference_id = exchange.inference_id or ""
    relation = (
        "named after the InferenceId"
        if inference_id and inference_id in name
        else "not named after the InferenceId"
    )
    return {"response": _answer(exchange), "object_name": name}, (
        f"answered {_status_line(exchange)}; output object {name!r} is {relation}"
    )


def _failure_path(session: ConformanceSession, params: dict[str, Any], tag: str) -> Any:
    exchange = session.invoke_probe(_payload(status=500, tag=tag), extra_params=params)
    outcome = _outcome(session, exchange)
    observed = {
        "response": _answer(exchange),
        "outcome": outcome.kind if outcome else None,
        "failure_object": outcome.failure.location.uri if outcome and outcome.failure else None,
    }
    return exchange, observed


def extension_on_failure(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    extension = "explore/extension"
    exchange, observed = _failure_path(
        session, {"S3OutputPathExtension": extension}, "explore-extension-failure"
    )
    failure = exchange.failure_location or ""
    applies = f"/{extension}/" in failure
    return observed, (
        f"answered {_status_line(exchange)}; FailureLocation {failure or '(none)'} "
        + ("includes" if applies else "does not include")
        + " the extension"
    )


def filename_on_failure(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    filename = "explore-output.json"
    exchange, observed = _failure_path(session, {"Filename": filename}, "explore-filename-failure")
    failure = exchange.failure_location or ""
    applies = filename.split(".")[0] in failure
    return observed, (
        f"answered {_status_line(exchange)}; FailureLocation {failure or '(none)'} "
        + ("uses" if applies else "does not use")
        + " the Filename"
    )


def expiry_text(session: ConformanceSession) -> tuple[dict[str, Any], str]:
    config = session.scenario_config or session.async_config
    limit = config.concurrency_limit if config else 1
    hold_ms = int(session.timing.hold * 1000)
    endpoint = {"EndpointName": session.scenario_endpoint}
    holders = [
        session.invoke_probe(
            _payload(sleep_ms=hold_ms, tag=f"explore-hold-{i}"), extra_params=endpoint
        )
        for i in range(limit)
    ]
    expiring = session.invoke_probe(
        _payload(tag="explore-expiring"), extra_params={**endpoint, "RequestTTLSeconds": 60}
    )
    outcome = _outcome(session, expiring) if 200 <= expiring.status < 300 else None
    deadline = session.timing.saturated_outcome_deadline
    if outcome is not None and outcome.kind == "none":
        outcome = session.wait_for_outcome(expiring, deadline=deadline)
    notes: list[Any] = []
    if session.inbox is not None and expiring.inference_id:
        notes = [
            n.message or n.raw for n in session.inbox.wait_for(expiring.inference_id, deadline=5.0)
        ]
    reasons = [n.get("failureReason") for n in notes if isinstance(n, dict)]
    failure_text = _text(outcome.failure.body) if outcome and outcome.failure else None
    # The holders' outcomes are not waited for: clean-up waits for them (bounded).
    observed = {
        "holders": [h.status for h in holders],
        "response": _answer(expiring),
        "outcome": outcome.kind if outcome else None,
        "failure_text": failure_text,
        "notification_failure_reasons": reasons,
    }
    return observed, (
        f"answered {_status_line(expiring)}; outcome {observed['outcome']}; failure text "
        f"{failure_text!r}; error notification reasons {reasons}"
    )


PROBES: dict[str, Callable[[ConformanceSession], tuple[dict[str, Any], str]]] = {
    "Q-HDR-001": non_ascii_header,
    "Q-HDR-002": whitespace_header,
    "Q-ID-001": reused_inference_id,
    "Q-ID-002": generated_inference_id,
    "Q-OUT-001": output_name,
    "Q-PATH-001": extension_on_failure,
    "Q-PATH-002": filename_on_failure,
    "Q-TTL-001": expiry_text,
}


def explore(session: ConformanceSession, *, only: set[str] | None = None) -> list[Answer]:
    """Ask every question (or those in ``only``); a question whose probe broke says so."""
    answers = []
    for question in load_questions():
        if only and question.id not in only:
            continue
        probe = PROBES.get(question.id)
        if probe is None:
            answers.append(Answer(question, {}, "no designed request for this question yet"))
            continue
        try:
            observed, summary = probe(session)
        except HarnessError as exc:
            observed, summary = {"harness_error": str(exc)}, f"not answered: {exc}"
        answers.append(
            Answer(
                question,
                redact(observed, secrets=secrets_now()),
                redact(summary, secrets=secrets_now()),
            )
        )
    return answers


def markdown(target: str, answers: list[Answer]) -> str:
    lines = [
        f"# Open questions, as {target} answers them",
        "",
        "Recorded, not judged: settle a question in FACTS.md only with a real-AWS answer.",
        "",
        "| question | asks | observed answer |",
        "|---|---|---|",
    ]
    for answer in answers:
        cell = answer.summary.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{answer.question.id}` | {answer.question.question} | {cell} |")
    return "\n".join([*lines, ""])
