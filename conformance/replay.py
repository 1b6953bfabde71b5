"""``conformance diff --transcript``: replay a recorded transcript's requests against a
target, rewritten to its names and paced as recorded, and compare its answers with the
recorded ones request by request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSRequest

from conformance.client import Exchange, HarnessError
from conformance.diff_run import (
    Disagreement,
    Side,
    answered_at,
    disagreement_of,
    observe_sent,
    signing_of,
)
from conformance.diffing import Context, Observed, compare, observation
from conformance.recording import learn_names
from conformance.session import ConformanceSession
from conformance.transcript import Placeholders, body_bytes, read_transcript
from reports.redact import REDACTED

# Headers a replay never copies: signing and transport, made again for the new target.
DROPPED_ON_REPLAY = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "host",
    "content-length",
}


@dataclass
class Recorded:
    exchange: dict[str, Any]
    outcome: dict[str, Any] | None = None
    notifications: list[Any] = field(default_factory=list)


def load_recording(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[Recorded]]:
    records = read_transcript(path)
    header = records[0]
    inputs = [r for r in records if r["type"] == "input"]
    exchanges: dict[int, Recorded] = {}
    for record in records:
        if record["type"] == "exchange":
            exchanges[record["seq"]] = Recorded(record)
        elif record["type"] == "outcome" and record["seq"] in exchanges:
            exchanges[record["seq"]].outcome = record
    by_id: dict[str, Recorded] = {}
    for recorded in exchanges.values():
        inference_id = _json(body_bytes(recorded.exchange["response"]["body"])).get("InferenceId")
        if isinstance(inference_id, str):
            by_id[inference_id] = recorded
    for record in records:
        if record["type"] == "notification" and isinstance(record["message"], dict):
            owner = by_id.get(record["message"].get("inferenceId"))
            if owner is not None:
                owner.notifications.append(record["message"])
    return header, inputs, [exchanges[k] for k in sorted(exchanges)]


def _json(body: bytes | None) -> dict[str, Any]:
    try:
        value = json.loads((body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def recorded_side(header: dict[str, Any], recorded: Sequence[Recorded]) -> Side:
    """The recording's answers, normalized like a live target's."""
    config = header.get("target", {}).get("async_config") or {}
    context = Context(
        output_path=config.get("s3_output_path") or "",
        failure_path=config.get("s3_failure_path") or "",
        fingerprint_secrets=False,
    )
    observations = []
    evidence = []
    for item in recorded:
        request, response = item.exchange["request"], item.exchange["response"]
        outcome = item.outcome
        status = int(response["status"])
        supplied = _supplied_id(request["headers"])
        observed = Observed(
            status=status,
            headers=response["headers"],
            body=body_bytes(response["body"]) or b"",
            supplied_inference_id=supplied,
            outcome_kind=outcome["kind"] if outcome else (None if 200 <= status < 300 else "none"),
            output_body=body_bytes((outcome or {}).get("output", {}) and outcome["output"]["body"]),
            failure_body=body_bytes(
                (outcome or {}).get("failure", {}) and outcome["failure"]["body"]
            ),
            notifications=item.notifications,
            notifications_observed=bool(item.notifications),
        )
        observations.append(observation(observed, context))
        evidence.append({"request": request, "response": response})
    return Side(
        str(header.get("target", {}).get("name", "transcript")),
        header.get("target", {}),
        observations,
        evidence,
    )


def _supplied_id(headers: dict[str, str]) -> str | None:
    for key, value in headers.items():
        if key.lower() == "x-amzn-sagemaker-inference-id":
            return value
    return None


def replay(
    session: ConformanceSession,
    inputs: Sequence[dict[str, Any]],
    recorded: Sequence[Recorded],
    *,
    keep_pace: bool = True,
) -> Side:
    """Send the recorded requests to ``session``'s target, rewritten to its names.

    Requests go out at their recorded offsets (so a queue the recording saturated
    is saturated again), each re-signed the way it was signed when recorded.
    """
    names = Placeholders()
    learn_names(names, session)
    real = {placeholder: value for value, placeholder in names.names.items()}
    uploaded: dict[str, str] = {}
    for record in inputs:
        payload = body_bytes(record["body"])
        if payload is None:
            payload = b"\0" * int(record["body"]["length"])
        uploaded[record["uri"]] = session.put_input(payload)
    sent: list[tuple[Exchange | None, str | None]] = []
    errors: list[str | None] = []
    began = time.monotonic()
    first = recorded[0].exchange["t"] if recorded else 0.0
    for item in recorded:
        if keep_pace:
            due = began + max(0.0, float(item.exchange["t"]) - first)
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, 600.0))  # pacing to the recorded schedule
        request, body = _rebuilt(session, item.exchange, real, uploaded)
        try:
            exchange = session.send(
                request, signing=signing_of(item.exchange["signing"], body), params={}
            )
        except HarnessError as exc:
            sent.append((None, None))
            errors.append(str(exc))
            continue
        answered_at[id(exchange)] = time.monotonic()
        sent.append((exchange, _supplied_id(dict(request.headers))))
        errors.append(None)
    wanted = [item.outcome is not None for item in recorded]
    side = observe_sent(session, sent, errors, wanted=wanted, fingerprint_secrets=False)
    for index, item in enumerate(recorded):
        if not item.notifications:
            side.observations[index].pop("notifications", None)
    return side


def _substitute(text: str, real: dict[str, str], uploaded: dict[str, str]) -> str:
    for recorded_uri, new_uri in uploaded.items():
        text = text.replace(recorded_uri, new_uri)
    for placeholder in sorted(real, key=len, reverse=True):
        text = text.replace(placeholder, real[placeholder])
    return text


def _rebuilt(
    session: ConformanceSession,
    exchange: dict[str, Any],
    real: dict[str, str],
    uploaded: dict[str, str],
) -> tuple[AWSRequest, bytes]:
    request = exchange["request"]
    headers: dict[str, str] = {}
    stand_ins = {s["header"]: s for s in request.get("stand_ins") or []}
    for name, value in request["headers"].items():
        if name.lower() in DROPPED_ON_REPLAY:
            continue
        if name in stand_ins:
            shape = stand_ins[name]
            # The recorded value was a secret: send one of the same length and class.
            filler = "a" if shape["ascii"] else "\u00e9"
            value = filler * int(shape["length"])
        else:
            value = _substitute(value, real, uploaded)
        headers[name] = value
    body = body_bytes(request["body"])
    if body is None:
        body = b"\0" * int(request["body"]["length"])
    path = _substitute(request["path"], real, uploaded)
    runtime = session.runtime_url.rstrip("/")
    return AWSRequest(
        method=request["method"], url=runtime + path, headers=headers, data=body
    ), body


def replay_and_compare(
    transcript: Path, session: ConformanceSession, *, keep_pace: bool = True
) -> tuple[Side, Side, list[Disagreement]]:
    header, inputs, recorded = load_recording(transcript)
    a = recorded_side(header, recorded)
    b = replay(session, inputs, recorded, keep_pace=keep_pace)
    for index, item in enumerate(recorded):
        if not _replayed_faithfully(item.exchange, inputs):
            # The payload held a secret and was redacted: the model got a stand-in.
            a.observations[index].pop("output_content", None)
            b.observations[index].pop("output_content", None)
    found: list[Disagreement] = []
    for index, item in enumerate(recorded):
        differences = compare(
            a.observations[index],
            b.observations[index],
            behaviour=_behaviour_of(item.exchange),
            supplied_inference_id=_supplied_id(item.exchange["request"]["headers"]) is not None,
        )
        sender = item.exchange.get("sent_by", {}).get("name")
        name = f"#{item.exchange['seq']} " + (sender or str(item.exchange["request"]["path"]))
        found += [disagreement_of(name, d, a, b, index, None) for d in differences]
    return a, b, found


def _kept_verbatim(body: dict[str, Any]) -> bool:
    return ("text" in body and REDACTED not in body["text"]) or "base64" in body


def _replayed_faithfully(exchange: dict[str, Any], inputs: Sequence[dict[str, Any]]) -> bool:
    request = exchange["request"]
    if not _kept_verbatim(request["body"]):
        return False
    location = next(
        (v for k, v in request["headers"].items() if k.lower() == "x-amzn-sagemaker-inputlocation"),
        None,
    )
    return all(_kept_verbatim(r["body"]) for r in inputs if r["uri"] == location)


def _behaviour_of(exchange: dict[str, Any]) -> str:
    """The behaviour a recorded request's status speaks to, read from how it was sent."""
    signing = exchange.get("signing", {})
    if not signing.get("sign", True):
        return "IEA-AUTH-001"
    if signing.get("foreign_key"):
        return "IEA-AUTH-003"
    if signing.get("date_offset_seconds"):
        return "IEA-AUTH-004"
    if signing.get("tampered_body"):
        return "IEA-AUTH-005"
    behaviours = exchange.get("sent_by", {}).get("behaviours") or []
    if behaviours:
        return str(behaviours[0])
    status = int(exchange["response"]["status"])
    return "IEA-WIRE-001" if 200 <= status < 300 else "IEA-WIRE-005"
