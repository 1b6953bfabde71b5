"""The recorder: what the session sends and the observers see, written to a transcript.

The session and the observers call the module-level hooks below (one line each);
they do nothing unless a recording is active (``--record FILE`` or
``recording(path)``). Also a pytest plugin: it registers ``--record``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from conformance import sensitive
from conformance.transcript import (
    STAND_IN_PREFIX,
    TranscriptWriter,
    body_record,
    shape_secrets,
)
from strategies.headers import is_unsupported

CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
# Headers whose names a replay maps back to the target's (or re-signs): no stand-in.
PLACEHOLDERED_HEADERS = {
    "x-amzn-sagemaker-inputlocation",
    "authorization",
    "host",
    "x-amz-security-token",
    "x-amz-content-sha256",
}

_active: Recorder | None = None
_lock = threading.Lock()


class Recorder:
    """Numbers exchanges and writes them, their outcomes and notifications."""

    def __init__(self, writer: TranscriptWriter) -> None:
        self.writer = writer
        self._seq: dict[int, int] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._known_sessions: set[int] = set()
        # Held while a session's header is written: the slow scenarios' thread records
        # inputs while the first check does, and nothing may come before the header.
        self._learning = threading.Lock()
        # What is sending now (a check's node id and behaviours, or a corpus entry).
        self.context: dict[str, Any] = {}

    def learn(self, session: Any) -> None:
        """Names of this session's buckets and endpoints, so they become placeholders."""
        with self._learning:
            if id(session) in self._known_sessions:
                return
            learn_names(self.writer.placeholders, session)
            target = session.target
            config = session.async_config
            described = target.describe()
            if config is not None:
                described["async_config"] = config.describe()
            self.writer.header(
                {k: v for k, v in described.items() if k not in {"urls", "expectations"}}
            )
            self._known_sessions.add(id(session))

    def input(self, session: Any, uri: str, payload: bytes) -> None:
        self.learn(session)
        self.writer.write({"type": "input", "uri": uri, "body": body_record(payload)})

    def exchange(self, session: Any, exchange: Any, signing: Any) -> None:
        self.learn(session)
        with self._lock:
            seq = self._next
            self._next += 1
            self._seq[id(exchange)] = seq
        request = exchange.request
        headers = dict(request.headers)
        parsed = urlparse(request.url)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        record: dict[str, Any] = {
            "type": "exchange",
            "seq": seq,
            "request": {
                "method": request.method,
                "path": path,
                "headers": headers,
                "body": body_record(request.body),
            },
            "signing": signing_record(signing),
            "sent_by": dict(self.context),
            "response": {
                "status": exchange.response.status,
                "headers": dict(exchange.response.headers),
                "body": body_record(exchange.response.body),
                "elapsed_seconds": round(exchange.response.elapsed, 4),
            },
        }
        # The run's CustomAttributes values inside what a replay must send (and in the
        # answer that echoes them) are written as their shape, not as [REDACTED]; see
        # shape_secrets. Credentials are never shaped: they are only redacted.
        own = [v for k, v in headers.items() if k.lower() == CUSTOM_ATTRIBUTES]
        record, spans = shape_secrets(record, [*sensitive.registered(), *own])
        headers = record["request"]["headers"]
        if spans:
            record["request"]["shaped_spans"] = spans
        renamed = self._rename_altered_names(record, headers)
        # A list, not a mapping keyed by the header: redaction would blank such a key.
        stand_ins = []
        for name, value in headers.items():
            value_altered = name.lower() == CUSTOM_ATTRIBUTES or self._altered(name, value)
            if not (value_altered or name in renamed):
                continue
            shape: dict[str, Any] = {
                "header": name,
                "length": len(value),
                "ascii": value.isascii(),
            }
            if name in renamed:
                shape.update(name_stand_in=True, name_length=len(name))
                shape["value_kept"] = not value_altered
            stand_ins.append(shape)
        record["request"]["stand_ins"] = stand_ins
        self.writer.write(record)

    def _rename_altered_names(self, record: dict[str, Any], headers: dict[str, str]) -> set[str]:
        """Request header names writing would alter get stand-in names (the writer then
        uses them everywhere); the names renamed. A supported or transport header whose
        name would be altered cannot get a stand-in: the exchange is marked unreplayable.
        """
        names = list(headers)
        # As a list inside the record: the record's own secrets count, and two names
        # altered alike stay two (keys of a mapping would merge).
        written = self.writer.clean({**record, "names": names})["names"]
        renamed: set[str] = set()
        for name, shown in zip(names, written, strict=True):
            if shown == name or name.lower().startswith(STAND_IN_PREFIX):
                continue
            if is_unsupported(name):
                self.writer.stand_in_header(name)
                renamed.add(name)
            else:
                record["not_replayable"] = (
                    f"the name of a {len(name)}-character supported or transport header "
                    "held a secret or an account number and was redacted"
                )
        return renamed

    def _altered(self, name: str, value: str) -> bool:
        """Would writing change this header's value (a secret or a name in it)? Then a
        replay sends a stand-in of the same length and class instead."""
        if name.lower() in PLACEHOLDERED_HEADERS:
            return False
        cleaned = self.writer.clean({"h": value})
        return cleaned["h"] != value

    def outcomes(self, exchanges: Sequence[Any], outcomes: Sequence[Any]) -> None:
        for exchange, outcome in zip(exchanges, outcomes, strict=False):
            seq = self._seq.get(id(exchange))
            if seq is None:
                continue
            self.writer.write(
                {
                    "type": "outcome",
                    "seq": seq,
                    "kind": outcome.kind,
                    "output": _object(outcome.output),
                    "failure": _object(outcome.failure),
                    "waited_seconds": round(outcome.waited, 3),
                }
            )

    def notification(self, notification: Any) -> None:
        self.writer.write(
            {
                "type": "notification",
                "topic": notification.topic_arn,
                "message": notification.message if notification.message else notification.raw,
            }
        )


def learn_names(names: Any, session: Any) -> None:
    """Give ``session``'s endpoints, buckets and URLs placeholders, always in this order
    (so two targets' names get the same placeholders)."""
    target = session.target
    names.endpoint(target.endpoint_name)
    if session.scenario_endpoint:
        names.endpoint(session.scenario_endpoint)
    names.bucket(target.input_bucket)
    config = session.async_config
    for path in (config.s3_output_path, config.s3_failure_path) if config else ():
        if path and path.startswith("s3://"):
            names.bucket(path[5:].split("/", 1)[0])
    for service, url in target.endpoints.items():
        if url:
            names.name(f"{service.replace('_', '-')}-url", url.rstrip("/"))


def _object(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {
        "location": obj.location.uri,
        "content_type": obj.content_type,
        "body": body_record(obj.body),
    }


def signing_record(signing: Any) -> dict[str, Any]:
    """How a request was signed, as data a replay can repeat (never the keys)."""
    if signing is None:
        return {"sign": True}
    offset = None
    if signing.date is not None:
        offset = round((signing.date - dt.datetime.now(dt.UTC)).total_seconds())
    return {
        "sign": bool(signing.sign),
        "foreign_key": signing.access_key is not None,
        "wrong_secret": signing.access_key is None and signing.secret_key is not None,
        "date_offset_seconds": offset,
        "tampered_body": signing.signed_body is not None,
    }


# -- hooks called by the session and the observers --------------------------------


def record_input(session: Any, uri: str, payload: bytes) -> None:
    if _active is not None:
        _active.input(session, uri, payload)


def record_exchange(session: Any, exchange: Any, signing: Any) -> None:
    if _active is not None:
        _active.exchange(session, exchange, signing)


def record_outcomes(exchanges: Sequence[Any], outcomes: Sequence[Any]) -> None:
    if _active is not None:
        _active.outcomes(exchanges, outcomes)


def record_notification(notification: Any) -> None:
    if _active is not None:
        _active.notification(notification)


def sent_by(name: str, behaviours: Sequence[str]) -> None:
    """Name what sends the next exchanges (a check, a corpus entry), for grouping a replay."""
    if _active is not None:
        _active.context = {"name": name, "behaviours": list(behaviours)}


def start(path: Path, *, recorded_with: dict[str, Any] | None = None) -> Recorder:
    global _active
    with _lock:
        if _active is not None:
            raise RuntimeError("a recording is already active")
        path.parent.mkdir(parents=True, exist_ok=True)
        _active = Recorder(TranscriptWriter(path, recorded_with=recorded_with))
        return _active


def stop() -> None:
    global _active
    with _lock:
        recorder, _active = _active, None
    if recorder is not None:
        recorder.writer.close()


@contextlib.contextmanager
def recording(path: Path, *, recorded_with: dict[str, Any] | None = None) -> Iterator[Recorder]:
    recorder = start(path, recorded_with=recorded_with)
    try:
        yield recorder
    finally:
        stop()


# -- pytest plugin --------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption(
        "--record",
        metavar="FILE",
        help="write every exchange of the run, its outcomes and notifications to FILE "
        "(a JSON Lines transcript, redacted; replay it with conformance diff --against)",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("record", default=None)
    if not path:
        return
    worker = getattr(config, "workerinput", {}).get("workerid")
    target = Path(path)
    if worker:
        # Under pytest-xdist each worker records its own share of the run.
        target = target.with_name(f"{target.stem}-{worker}{target.suffix}")
    seed = config.getoption("hypothesis_seed", default=None)
    start(
        target,
        recorded_with={
            "tool": "pytest",
            "depth": config.getoption("depth", None),
            "hypothesis_seed": seed,
        },
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _active is None:
        return
    ids: list[str] = []
    for marker in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in marker.args)
    sent_by(item.nodeid.split("::", 1)[-1], ids)


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.getoption("record", default=None):
        stop()
