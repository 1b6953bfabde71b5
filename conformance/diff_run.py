"""``conformance diff`` underneath: send a corpus (or a transcript's requests) to a
target, observe what it did, and compare two such runs request by request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSRequest

from conformance import recording, sensitive
from conformance.client import Exchange, HarnessError, Signing
from conformance.corpus import ENDPOINT, INPUT, Entry
from conformance.diffing import Context, Difference, Observed, compare, observation
from conformance.minimise import ANSWER_ASPECTS, Minimised, minimise
from conformance.recording import CUSTOM_ATTRIBUTES, learn_names
from conformance.session import ConformanceSession
from conformance.transcript import Placeholders, body_bytes, read_transcript, secrets_now
from reports.redact import REDACTED, redact

# How long to read notifications after the outcomes landed (scaled by the clock).
NOTIFICATION_WINDOW = 3.0
FOREIGN_KEY = ("AKIDCONFORMANCEFOREIGN", "conformance-foreign-secret-key-0000000000")
DROPPED_ON_REPLAY = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "host",
    "content-length",
}


# When each exchange was answered (monotonic), to attribute notifications.
_answered_at: dict[int, float] = {}


@dataclass
class Side:
    """One target's answers to a corpus, normalized per request."""

    name: str
    described: dict[str, Any]
    observations: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class Disagreement:
    request: str
    behaviour: str
    aspect: str
    a: Any
    b: Any
    evidence: dict[str, Any] = field(default_factory=dict)
    example: str | None = None
    # For a generated input: the original request and Hypothesis' minimal one.
    minimised: dict[str, Any] | None = None


def context_for(session: ConformanceSession) -> Context:
    names = Placeholders()
    learn_names(names, session)
    config = session.async_config
    return Context(
        placeholders=names,
        output_path=config.s3_output_path if config else "",
        failure_path=(config.s3_failure_path or "") if config else "",
    )


def signing_of(record: dict[str, Any], body: bytes) -> Signing:
    """A Signing that repeats a recorded (or designed) way of signing, with our keys."""
    if not record.get("sign", True):
        return Signing(sign=False)
    access, secret = FOREIGN_KEY if record.get("foreign_key") else (None, None)
    if record.get("wrong_secret"):
        secret = FOREIGN_KEY[1]  # the target's own access key, signed with another secret
    offset = record.get("date_offset_seconds")
    date = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset) if offset else None
    signed = body + b"-tampered" if record.get("tampered_body") else None
    return Signing(access_key=access, secret_key=secret, date=date, signed_body=signed)


def _fill(session: ConformanceSession, entry: Entry) -> dict[str, Any]:
    if isinstance(entry.params.get("CustomAttributes"), str):
        # As ConformanceSession.invoke does, and before the input that may hold it is
        # written: never in a report or a transcript.
        sensitive.register(entry.params["CustomAttributes"])
    params: dict[str, Any] = {}
    for key, value in entry.params.items():
        if value == ENDPOINT:
            value = session.target.endpoint_name
        elif value == INPUT:
            value = session.put_input(entry.payload)
        params[key] = value
    return params


def run_corpus(
    session: ConformanceSession,
    corpus: Sequence[Entry],
    *,
    observe_outcomes: bool = True,
    read_notifications: bool = True,
) -> Side:
    """Send every entry, then observe outcomes and notifications of the accepted ones
    (``observe_outcomes=False``: the answers alone)."""
    sent: list[tuple[Exchange | None, str | None, str | None]] = []
    for entry in corpus:
        recording.sent_by(entry.name, [entry.behaviour])
        params = _fill(session, entry)
        body = params["Body"] if isinstance(params.get("Body"), bytes) else b""
        request = session.invoker.serialize(params)
        try:
            exchange = session.send(request, signing=signing_of(entry.signing, body), params=params)
        except HarnessError as exc:
            sent.append((None, None, str(exc)))
            continue
        supplied = params.get("InferenceId") if isinstance(params.get("InferenceId"), str) else None
        _answered_at[id(exchange)] = time.monotonic()
        sent.append((exchange, supplied, None))
    return _observe(
        session,
        [(e, s) for e, s, _ in sent],
        [err for _, _, err in sent],
        wanted=None if observe_outcomes else [False] * len(sent),
        notified=None if read_notifications else [False] * len(sent),
    )


def _observe(
    session: ConformanceSession,
    sent: Sequence[tuple[Exchange | None, str | None]],
    errors: Sequence[str | None],
    *,
    wanted: Sequence[bool] | None = None,
    notified: Sequence[bool] | None = None,
    fingerprint_secrets: bool = True,
) -> Side:
    context = context_for(session)
    context.fingerprint_secrets = fingerprint_secrets
    waiting = [
        i
        for i, (e, _) in enumerate(sent)
        if e is not None
        and (wanted is None or wanted[i])
        and (e.output_location or e.failure_location)
    ]
    outcomes = session.wait_for_outcomes([sent[i][0] for i in waiting]) if waiting else []  # type: ignore[misc]
    by_index = dict(zip(waiting, outcomes, strict=True))
    inbox = session.inbox
    if inbox is not None and waiting and (notified is None or any(notified)):
        expected = [
            sent[i][0].inference_id  # type: ignore[union-attr]
            for i in waiting
            if sent[i][0].inference_id and (notified is None or notified[i])  # type: ignore[union-attr]
        ]
        _read_notifications(inbox, expected, session.outcome_deadline)
        inbox.poll_for(NOTIFICATION_WINDOW * max(session.target.clock_scale, 0.34))
    observations: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for index, (exchange, supplied) in enumerate(sent):
        if exchange is None:
            observations.append({"status": 0, "error_type": f"harness: {errors[index]}"})
            evidence.append({})
            continue
        outcome = by_index.get(index)
        notes = []
        if inbox is not None and exchange.inference_id and outcome is not None:
            # Only what arrived after this request was answered: a supplied InferenceId
            # may have been used before in the same session.
            notes = [
                n.message or n.raw
                for n in inbox.for_inference(exchange.inference_id)
                if n.received_at >= _answered_at.get(id(exchange), 0.0)
            ]
        observed = Observed(
            status=exchange.status,
            headers=exchange.response.headers,
            body=exchange.response.body,
            supplied_inference_id=supplied,
            outcome_kind=outcome.kind
            if outcome is not None
            else (None if 200 <= exchange.status < 300 else "none"),
            output_uri=outcome.output.location.uri if outcome and outcome.output else None,
            output_body=outcome.output.body if outcome and outcome.output else None,
            failure_uri=outcome.failure.location.uri if outcome and outcome.failure else None,
            failure_body=outcome.failure.body if outcome and outcome.failure else None,
            notifications=notes,
            notifications_observed=inbox is not None and outcome is not None,
        )
        observations.append(observation(observed, context))
        evidence.append(
            context.placeholders.apply(redact(exchange.to_evidence(), secrets=secrets_now()))
        )
    described = context.placeholders.apply(session.target.describe())
    described.pop("urls", None)
    return Side(session.target.name, described, observations, evidence)


def _read_notifications(inbox: Any, inference_ids: Sequence[str], deadline: float) -> None:
    """Read the queue until every one of ``inference_ids`` has a notification or
    ``deadline`` seconds passed: a window of fixed length reads only a few batches
    of ten, and a replay of a whole run expects hundreds."""
    end = time.monotonic() + deadline
    for inference_id in inference_ids:
        remaining = end - time.monotonic()
        if remaining <= 0:
            return
        inbox.wait_for(inference_id, deadline=remaining)


def diff_sides(corpus: Sequence[Entry], a: Side, b: Side) -> list[Disagreement]:
    found: list[Disagreement] = []
    for index, entry in enumerate(corpus):
        differences = compare(
            a.observations[index],
            b.observations[index],
            behaviour=entry.behaviour,
            aspects=entry.aspects,
            supplied_inference_id="InferenceId" in entry.params,
        )
        found += [_disagreement(entry.name, d, a, b, index, entry.generated) for d in differences]
    found += _uniqueness(corpus, a, b)
    return found


def _disagreement(
    name: str, d: Difference, a: Side, b: Side, index: int, example: str | None
) -> Disagreement:
    return Disagreement(
        request=name,
        behaviour=d.behaviour,
        aspect=d.aspect,
        a=d.a,
        b=d.b,
        evidence={"a": a.evidence[index], "b": b.evidence[index]},
        example=example,
    )


def _uniqueness(corpus: Sequence[Entry], a: Side, b: Side) -> list[Disagreement]:
    """IEA-OUT-002 across the corpus: does every accepted request get its own location?"""

    def unique(side: Side) -> bool:
        locations = [
            e.get("response", {}).get("headers", {}).get("X-Amzn-SageMaker-OutputLocation")
            or _find(e, "x-amzn-sagemaker-outputlocation")
            for e in side.evidence
        ]
        present = [loc for loc in locations if loc]
        return len(present) == len(set(present))

    ua, ub = unique(a), unique(b)
    if ua == ub:
        return []
    return [Disagreement("(whole corpus)", "IEA-OUT-002", "output_location.unique", ua, ub)]


def _find(evidence: dict[str, Any], header: str) -> str | None:
    headers = evidence.get("response", {}).get("headers", {})
    for key, value in headers.items():
        if key.lower() == header:
            return value
    return None


# Searches (each at most minimise.MAX_TRIALS request pairs) one diff may run, and
# the seconds all of them may take together (scaled for a slow clock).
MAX_SEARCHES = 8
SEARCH_SECONDS = 60.0


def diff_targets(
    corpus: Sequence[Entry],
    open_a: Any,
    open_b: Any,
    *,
    minimise_generated: bool = True,
    max_searches: int = MAX_SEARCHES,
) -> tuple[Side, Side, list[Disagreement]]:
    """Run ``corpus`` on both targets (concurrently) and compare; where a disagreement
    came from a generated entry, search for its minimal example (``minimise``)."""
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(2, "diff") as pool:
        managers = [open_a(), open_b()]
        entered = [pool.submit(m.__enter__) for m in managers]
        sessions: list[ConformanceSession] = []
        errors: list[BaseException] = []
        for manager, future in zip(managers, entered, strict=True):
            try:
                sessions.append(future.result())
            except BaseException as exc:  # the other one is still closed by the stack
                errors.append(exc)
                continue
            stack.push(manager.__exit__)
        if errors:
            raise errors[0]
        session_a, session_b = sessions
        future_a = pool.submit(run_corpus, session_a, corpus)
        future_b = pool.submit(run_corpus, session_b, corpus)
        a, b = future_a.result(), future_b.result()
        found = diff_sides(corpus, a, b)
        if minimise_generated:
            found = _minimised(corpus, found, session_a, session_b, max_searches)
    return a, b, found


def _minimised(
    corpus: Sequence[Entry],
    found: list[Disagreement],
    a: ConformanceSession,
    b: ConformanceSession,
    max_searches: int,
) -> list[Disagreement]:
    """``found`` with the minimal example beside each generated disagreement, one
    search per (entry, aspect)."""
    by_name = {entry.name: entry for entry in corpus}
    results: dict[tuple[str, str], dict[str, Any] | None] = {}
    keys = set()
    for d in found:
        entry = by_name.get(d.request)
        if entry is None or entry.origin is None:
            continue
        if entry.origin.index == 0 and entry.origin.strategy == "invalid":
            # Hypothesis' first example is the simplest it has: nothing to shrink.
            results[(d.request, d.aspect)] = Minimised(
                d.aspect, entry.params, entry.params, 0
            ).to_dict() | {"note": "Hypothesis' first example of the strategy: its simplest"}
        else:
            keys.add((d.request, d.aspect))
    # Answers first: they need no wait for outcomes, so a search is quick.
    wanted = sorted(keys, key=lambda key: (key[1] not in ANSWER_ASPECTS, key))[:max_searches]
    until = time.monotonic() + SEARCH_SECONDS * max(1.0, a.target.clock_scale * 5)
    for name, aspect in wanted:
        result = minimise(by_name[name], aspect, a, b, run=run_corpus, until=until)
        results[(name, aspect)] = result.to_dict() if result is not None else None
    return [
        dataclasses.replace(d, minimised=results[(d.request, d.aspect)])
        if results.get((d.request, d.aspect))
        else d
        for d in found
    ]


# -- replaying a transcript -------------------------------------------------------


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
        _answered_at[id(exchange)] = time.monotonic()
        sent.append((exchange, _supplied_id(dict(plan.request.headers))))
        errors.append(None)
    wanted = [item.outcome is not None for item in recorded]
    notified = [bool(item.notifications) for item in recorded]
    side = _observe(
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
        found += [_disagreement(name, d, a, b, index, None) for d in differences]
    replayed = [i for i, plan in enumerate(plans) if not plan.skipped]
    found += _uniqueness([], _only(a, replayed), _only(b, replayed))
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
