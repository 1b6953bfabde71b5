"""``conformance diff`` underneath: send a corpus to a target, observe what it did, and
compare two such runs request by request (``conformance.replay`` replays a transcript's
requests with the same observation and comparison).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from conformance import recording, sensitive
from conformance.client import Exchange, HarnessError, Signing
from conformance.corpus import ENDPOINT, INPUT, Entry
from conformance.diffing import Context, Difference, Observed, compare, observation
from conformance.minimise import ANSWER_ASPECTS, Minimised, minimise
from conformance.recording import learn_names
from conformance.session import ConformanceSession
from conformance.transcript import Placeholders, secrets_now
from reports.redact import redact

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
answered_at: dict[int, float] = {}


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
        answered_at[id(exchange)] = time.monotonic()
        sent.append((exchange, supplied, None))
    return observe_sent(
        session,
        [(e, s) for e, s, _ in sent],
        [err for _, _, err in sent],
        wanted=None if observe_outcomes else [False] * len(sent),
        notified=None if read_notifications else [False] * len(sent),
    )


def observe_sent(
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
                if n.received_at >= answered_at.get(id(exchange), 0.0)
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
        found += [disagreement_of(entry.name, d, a, b, index, entry.generated) for d in differences]
    found += uniqueness_disagreements(corpus, a, b)
    return found


def disagreement_of(
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


def uniqueness_disagreements(corpus: Sequence[Entry], a: Side, b: Side) -> list[Disagreement]:
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
