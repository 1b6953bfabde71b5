"""``conformance diff --transcript``: replay a recorded transcript's requests against a
target, rewritten to its names and paced as recorded, and compare its answers with the
recorded ones request by request.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSRequest

from conformance.client import Exchange, HarnessError
from conformance.diff_run import (
    DROPPED_ON_REPLAY,
    Disagreement,
    Side,
    answered_at,
    disagreement_of,
    observe_sent,
    signing_of,
    uniqueness_disagreements,
)
from conformance.diffing import Context, Observed, compare, observation
from conformance.recording import CUSTOM_ATTRIBUTES, learn_names
from conformance.session import ConformanceSession
from conformance.transcript import Placeholders, body_bytes, read_transcript
from reports.redact import REDACTED


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


@dataclass
class ReplayPlan:
    """How one recorded request is replayed: as recorded, with stand-ins, or not at all."""

    request: AWSRequest | None
    body: bytes
    # Why the replay is not the recorded request byte for byte (empty: it is).
    notes: list[str] = field(default_factory=list)
    # Aspects not comparable because a stand-in replaced what they depend on.
    incomparable: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> bool:
        return self.request is None

    def describe(self, name: str) -> dict[str, Any]:
        action = "skipped" if self.skipped else "with stand-ins"
        return {"request": name, "replayed": action, "why": list(self.notes)}


def replay(
    session: ConformanceSession,
    inputs: Sequence[dict[str, Any]],
    recorded: Sequence[Recorded],
    *,
    keep_pace: bool = True,
) -> tuple[Side, list[ReplayPlan]]:
    """Send the recorded requests to ``session``'s target, rewritten to its names.

    Requests go out at their recorded offsets (so a queue the recording saturated
    is saturated again), each re-signed the way it was signed when recorded. What
    the transcript could not keep is replaced by stand-ins or, where no stand-in
    is faithful, the request is skipped; each plan says which and why.
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
    plans = [plan_replay(session, item.exchange, real, uploaded, inputs) for item in recorded]
    sent: list[tuple[Exchange | None, str | None]] = []
    errors: list[str | None] = []
    began = time.monotonic()
    first = recorded[0].exchange["t"] if recorded else 0.0
    for item, plan in zip(recorded, plans, strict=True):
        if plan.request is None:
            sent.append((None, None))
            errors.append("not replayed: " + "; ".join(plan.notes))
            continue
        if keep_pace:
            due = began + max(0.0, float(item.exchange["t"]) - first)
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, 600.0))  # pacing to the recorded schedule
        try:
            exchange = session.send(
                plan.request, signing=signing_of(item.exchange["signing"], plan.body), params={}
            )
        except HarnessError as exc:
            sent.append((None, None))
            errors.append(str(exc))
            continue
        answered_at[id(exchange)] = time.monotonic()
        sent.append((exchange, _supplied_id(dict(plan.request.headers))))
        errors.append(None)
    wanted = [item.outcome is not None for item in recorded]
    notified = [bool(item.notifications) for item in recorded]
    side = observe_sent(
        session, sent, errors, wanted=wanted, notified=notified, fingerprint_secrets=False
    )
    for index, item in enumerate(recorded):
        if not item.notifications:
            side.observations[index].pop("notifications", None)
    return side, plans


# The kinds transcript.Placeholders writes (a service URL's kind ends in -url).
_PLACEHOLDER = re.compile(r"<(account|arn|bucket|endpoint|[a-z0-9-]{1,40}-url)-(\d{1,6})>")
# What an unknown placeholder is replaced by: a value of the class it stood for.
_ACCOUNT_STAND_IN = "000000000000"


def _substitute(text: str, real: dict[str, str], uploaded: dict[str, str]) -> str:
    for recorded_uri, new_uri in uploaded.items():
        text = text.replace(recorded_uri, new_uri)
    for placeholder in sorted(real, key=len, reverse=True):
        text = text.replace(placeholder, real[placeholder])
    return text


def _unknown_placeholders(text: str, notes: list[str], where: str) -> str:
    """Placeholders this target has no name for (another account, an ARN, a bucket
    the recording's target had and this one lacks) become stand-ins of their class."""

    def stand_in(match: re.Match[str]) -> str:
        kind, number = match.group(1), match.group(2)
        notes.append(f"{where}: <{kind}-{number}> has no counterpart here; sent a stand-in")
        if kind == "account":
            return _ACCOUNT_STAND_IN
        if kind == "arn":
            return f"arn:aws:sns:us-east-1:{_ACCOUNT_STAND_IN}:redacted-arn-{number}"
        return f"redacted-{kind}-{number}"

    return _PLACEHOLDER.sub(stand_in, text)


def _filler(length: int, ascii_only: bool) -> str:
    """A value of ``length`` octets as the transcript counted them, of the same class."""
    if ascii_only:
        return "a" * length
    # Recorded text is the latin-1 reading of the wire octets; é is two of them.
    return "\u00e9" * (length // 2) + "a" * (length % 2)


def _wire_text(value: str) -> str:
    """The text the signed client must be given so that it sends the recorded octets
    (the transcript holds header values as the latin-1 reading of the wire bytes)."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def plan_replay(
    session: ConformanceSession,
    exchange: dict[str, Any],
    real: dict[str, str],
    uploaded: dict[str, str],
    inputs: Sequence[dict[str, Any]],
) -> ReplayPlan:
    """The request a recorded exchange becomes on this target, and what it had to change."""
    request = exchange["request"]
    notes: list[str] = []
    incomparable: set[str] = set()
    if exchange.get("not_replayable"):
        return ReplayPlan(None, b"", [str(exchange["not_replayable"])])
    if request.get("shaped_spans"):
        notes.append(
            f"{request['shaped_spans']} spans held a CustomAttributes value of the recorded "
            "run; sent as their shape (same length, letters and digits replaced)"
        )
        incomparable.add("output_content")
    path = _unknown_placeholders(_substitute(request["path"], real, uploaded), notes, "path")
    if REDACTED in path:
        notes.append("the path held a value the run treats as secret; it was redacted")
        return ReplayPlan(None, b"", notes)
    headers: dict[str, str] = {}
    stand_ins = {s["header"]: s for s in request.get("stand_ins") or []}
    for name, value in request["headers"].items():
        if name.lower() in DROPPED_ON_REPLAY:
            continue
        shape = stand_ins.get(name)
        if shape is not None and shape.get("name_stand_in"):
            notes.append(
                f"header {name}: stands for a {shape.get('name_length')}-character name "
                "that held a secret or an account number"
            )
            incomparable.add("output_content")
        if shape is not None and not shape.get("value_kept"):
            # The recorded value was a secret: one of the same length and class.
            value = _filler(int(shape["length"]), bool(shape["ascii"]))
            if name.lower() != CUSTOM_ATTRIBUTES:
                # (CustomAttributes are redacted on both sides of the comparison.)
                notes.append(f"header {name}: value redacted; sent a same-class stand-in")
                incomparable.add("output_content")
        else:
            value = _unknown_placeholders(_substitute(value, real, uploaded), notes, name)
            if REDACTED in value:
                notes.append(
                    f"header {name}: held a value the run treats as secret; it was redacted"
                )
                return ReplayPlan(None, b"", notes)
        headers[name] = _wire_text(value)
    body = body_bytes(request["body"])
    if body is None:
        notes.append(f"body kept by digest only; sent {request['body']['length']} NUL bytes")
        body = b"\0" * int(request["body"]["length"])
        incomparable.add("output_content")
    elif not _replayed_faithfully(exchange, inputs):
        notes.append("the payload held a secret and was redacted: output content not compared")
        incomparable.add("output_content")
    runtime = session.runtime_url.rstrip("/")
    built = AWSRequest(method=request["method"], url=runtime + path, headers=headers, data=body)
    return ReplayPlan(built, body, notes, incomparable)


def replay_and_compare(
    transcript: Path, session: ConformanceSession, *, keep_pace: bool = True
) -> tuple[Side, Side, list[Disagreement]]:
    a, b, found, _ = replay_with_notes(transcript, session, keep_pace=keep_pace)
    return a, b, found


def replay_with_notes(
    transcript: Path, session: ConformanceSession, *, keep_pace: bool = True
) -> tuple[Side, Side, list[Disagreement], list[dict[str, Any]]]:
    """Replay ``transcript`` against ``session``'s target and compare; also what could
    not be replayed as recorded, and why (skipped requests are not compared)."""
    header, inputs, recorded = load_recording(transcript)
    a = recorded_side(header, recorded)
    b, plans = replay(session, inputs, recorded, keep_pace=keep_pace)
    found: list[Disagreement] = []
    notes: list[dict[str, Any]] = []
    for index, (item, plan) in enumerate(zip(recorded, plans, strict=True)):
        sender = item.exchange.get("sent_by", {}).get("name")
        name = f"#{item.exchange['seq']} " + (sender or str(item.exchange["request"]["path"]))
        if plan.notes:
            notes.append(plan.describe(name))
        if plan.skipped:
            continue
        for aspect in plan.incomparable:
            a.observations[index].pop(aspect, None)
            b.observations[index].pop(aspect, None)
        headers = item.exchange["request"]["headers"]
        differences = compare(
            a.observations[index],
            b.observations[index],
            behaviour=_behaviour_of(item.exchange),
            aspects=_member_aspects(headers),
            supplied_inference_id=_supplied_id(headers) is not None,
        )
        found += [disagreement_of(name, d, a, b, index, None) for d in differences]
    replayed = [i for i, plan in enumerate(plans) if not plan.skipped]
    found += uniqueness_disagreements([], _only(a, replayed), _only(b, replayed))
    return a, b, found, notes


def _only(side: Side, indexes: Sequence[int]) -> Side:
    return Side(side.name, side.described, [side.observations[i] for i in indexes],
                [side.evidence[i] for i in indexes])  # fmt: skip


def _member_aspects(headers: dict[str, str]) -> dict[str, str]:
    """As the corpus does for its generated entries: which member an aspect of a
    recorded request speaks to (the output name to Filename, its path to the
    extension, the failure path's extension to IEA-PATH-003)."""
    names = {k.lower() for k in headers}
    aspects: dict[str, str] = {}
    if "x-amzn-sagemaker-filename" in names:
        aspects["output_location.stem"] = "IEA-PATH-002"
    elif "x-amzn-sagemaker-s3outputpathextension" in names:
        aspects["output_location.stem"] = "IEA-PATH-001"
    if "x-amzn-sagemaker-s3outputpathextension" in names:
        aspects["failure_location.stem"] = "IEA-PATH-003"
    return aspects


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
    if signing.get("wrong_secret"):
        return "IEA-AUTH-002"
    if signing.get("date_offset_seconds"):
        return "IEA-AUTH-004"
    if signing.get("tampered_body"):
        return "IEA-AUTH-005"
    behaviours = exchange.get("sent_by", {}).get("behaviours") or []
    if behaviours:
        return str(behaviours[0])
    status = int(exchange["response"]["status"])
    return "IEA-WIRE-001" if 200 <= status < 300 else "IEA-WIRE-005"
