"""The transcript: every exchange of a run as versioned, schema-checked JSON Lines.

Read like a VCR.py cassette (one record per interaction, filtered when it is
*written*, never when it is read), but ours carries what the target did after the
answer (S3 outcomes, notifications) and is replayed as *requests* against a live
target, not served as canned responses.

One JSON object per line, each with ``type``: a ``header`` first (format name,
version, what was recorded), then ``input``, ``exchange``, ``outcome`` and
``notification`` records in the order they happened, ``t`` seconds after the
header. Secrets and CustomAttributes are removed by the reports' own redaction
(``reports.redact.redact``); account IDs, bucket names, endpoint names and ARNs are
replaced by stable placeholders (``<bucket-1>``, ``<account-1>``, ``<arn-1>``,
``<endpoint-1>``) so a transcript can be published. A request header whose *name*
either would alter (it holds a secret or an account number: generated names do) is
written under a stand-in name that is still a valid HTTP token (``x-redacted-1``),
the same one wherever the name appears, so the request can be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from conformance import sensitive
from reports.redact import MIN_SECRET_LENGTH, environment_secrets, is_sensitive_key, redact

FORMAT = "sagemaker-async-conformance/transcript"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("transcript.schema.json")
# Bodies up to this size are kept (replay needs them); larger ones only by digest.
MAX_KEPT_BODY = 64_000
MAX_LINE_BYTES = 4_000_000
MAX_RECORDS = 1_000_000

_ARN = re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[A-Za-z0-9_./:+=,@-]+")
_ACCOUNT = re.compile(r"(?<![0-9A-Za-z-])\d{12}(?![0-9A-Za-z-])")
# Stand-in header names: lower case, numbered in order of first sight.
STAND_IN_PREFIX = "x-redacted-"


class InvalidTranscript(Exception):
    """A transcript that is not one: the message says where and why."""


@dataclass
class Placeholders:
    """Real names to stable placeholders, numbered in order of first sight."""

    names: dict[str, str] = field(default_factory=dict)

    def name(self, kind: str, value: str) -> str:
        if not value:
            return value
        if value not in self.names:
            count = sum(1 for v in self.names.values() if v.startswith(f"<{kind}-")) + 1
            self.names[value] = f"<{kind}-{count}>"
        return self.names[value]

    def bucket(self, value: str) -> str:
        return self.name("bucket", value)

    def endpoint(self, value: str) -> str:
        return self.name("endpoint", value)

    def apply(self, value: Any) -> Any:
        """``value`` with every known name, ARN and account ID replaced, recursively."""
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, dict):
            return {self._text(k): self.apply(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.apply(v) for v in value]
        return value

    def _text(self, text: str) -> str:
        text = _ARN.sub(lambda m: self.name("arn", m.group(0)), text)
        text = _ACCOUNT.sub(lambda m: self.name("account", m.group(0)), text)
        # Longest first, so a bucket named inside a longer name is not cut in two.
        for real in sorted(self.names, key=len, reverse=True):
            if real in text and not real.startswith("<"):
                text = _replace_name(text, real, self.names[real])
        return text


def _replace_name(text: str, real: str, placeholder: str) -> str:
    # A name only where it stands alone (not inside a longer word).
    pattern = r"(?<![A-Za-z0-9-])" + re.escape(real) + r"(?![A-Za-z0-9])"
    return re.sub(pattern, placeholder.replace("\\", r"\\"), text)


def secrets_now() -> list[str]:
    """The run's secrets, each also as it reads inside JSON text (a response body that
    echoes a value holding a quote or a backslash carries it escaped)."""
    return _with_json_forms([*sensitive.registered(), *environment_secrets()])


def _json_form(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _with_json_forms(values: Iterable[str]) -> list[str]:
    out = list(values)
    out += [_json_form(v) for v in out if _json_form(v) != v]
    return out


def _shape(secret: str) -> str:
    """A stand-in of ``secret``'s shape: letters and digits replaced by one of their
    class, everything else kept; the characters themselves are gone."""
    return "".join(
        "5" if c.isascii() and c.isdigit()
        else "x" if c.isascii() and c.islower()
        else "X" if c.isascii() and c.isupper()
        else c
        for c in secret
    )


def shape_secrets(value: Any, secrets: Iterable[str]) -> tuple[Any, int]:
    """``value`` with every occurrence of a secret (long enough to find as text) in
    every string replaced by its shape, except under keys that name a secret (those
    the redaction blanks whole); and how many occurrences were replaced.

    Redaction would write ``[REDACTED]`` there instead, which no replay can send: a
    generated EndpointName or Filename that happens to contain a CustomAttributes
    value of the same run (Hypothesis draws ``00000000`` for both) would lose its
    length and its validity. The shape keeps both.
    """
    shaped: dict[str, str] = {}
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH and _shape(secret) != secret:
            shaped[secret] = _shape(secret)
            # Inside JSON text (a body echoing the value) it reads escaped.
            shaped[_json_form(secret)] = _json_form(_shape(secret))
    shaped = dict(sorted(shaped.items(), key=lambda item: len(item[0]), reverse=True))
    count = 0

    def walk(item: Any) -> Any:
        nonlocal count
        if isinstance(item, str):
            for secret, shape in shaped.items():
                if secret in item:
                    count += item.count(secret)
                    item = item.replace(secret, shape)
            return item
        if isinstance(item, dict):
            return {
                walk(k): v if is_sensitive_key(k) else walk(v) for k, v in item.items()
            }
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    if not shaped:
        return value, 0
    return walk(value), count


def body_record(body: bytes) -> dict[str, Any]:
    """A body as a transcript keeps it: text or base64 when small and secret-free."""
    record: dict[str, Any] = {
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    if len(body) > MAX_KEPT_BODY:
        return record
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Text goes through the writer's redaction, which removes secrets long enough
        # to find as substrings; a body holding a shorter one is kept by digest only.
        if not _holds_secret(body, shorter_than=MIN_SECRET_LENGTH):
            record["text"] = text
    elif not _holds_secret(body):
        record["base64"] = base64.b64encode(body).decode("ascii")
    return record


def body_bytes(record: dict[str, Any] | None) -> bytes | None:
    """The body a transcript kept, or None when it kept only the digest."""
    if not record:
        return None
    if "text" in record:
        return str(record["text"]).encode("utf-8")
    if "base64" in record:
        return base64.b64decode(record["base64"])
    return None


def _holds_secret(body: bytes, *, shorter_than: int | None = None) -> bool:
    for secret in secrets_now():
        if shorter_than is not None and len(secret) >= shorter_than:
            continue
        for encoding in ("utf-8", "latin-1"):
            try:
                if secret.encode(encoding) in body:
                    return True
            except UnicodeEncodeError:
                continue
    return False


class TranscriptWriter:
    """Appends records to a transcript file, redacted and placeholdered as written."""

    def __init__(self, path: Path, *, recorded_with: dict[str, Any] | None = None) -> None:
        self.path = path
        self.placeholders = Placeholders()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._handle = path.open("w", encoding="utf-8")
        self._count = 0
        self._header_written = False
        self._recorded_with = recorded_with or {}
        # lower-cased real header name -> its stand-in (see stand_in_header)
        self.header_names: dict[str, str] = {}
        self._renaming: re.Pattern[str] | None = None

    def stand_in_header(self, name: str) -> str:
        """The stand-in for a header name the writer would alter; from now on every
        record is written with the stand-in wherever the name appears."""
        key = name.lower()
        with self._lock:
            if key not in self.header_names:
                self.header_names[key] = f"{STAND_IN_PREFIX}{len(self.header_names) + 1}"
                names = sorted(self.header_names, key=len, reverse=True)
                # A name only where it stands alone, as a header name would.
                alternatives = "|".join(map(re.escape, names))
                self._renaming = re.compile(
                    r"(?<![A-Za-z0-9-])(?:" + alternatives + r")(?![A-Za-z0-9-])", re.IGNORECASE
                )
            return self.header_names[key]

    def clean(self, record: Any) -> Any:
        """``record`` as it would be written: stand-in header names, redacted, placeholdered."""
        return self.placeholders.apply(redact(self._renamed(record), secrets=secrets_now()))

    def _renamed(self, value: Any) -> Any:
        pattern = self._renaming
        if pattern is None:
            return value
        if isinstance(value, str):
            return pattern.sub(lambda m: self.header_names[m.group(0).lower()], value)
        if isinstance(value, dict):
            return {self._renamed(k): self._renamed(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._renamed(v) for v in value]
        return value

    def elapsed(self) -> float:
        return round(time.monotonic() - self._started, 4)

    def header(self, target: dict[str, Any] | None) -> None:
        # Written under the lock that every record takes: no record may come before it.
        with self._lock:
            if self._header_written:
                return
            self._header_written = True
            self._write_line(
                {
                    "type": "header",
                    "format": FORMAT,
                    "version": VERSION,
                    "recorded_with": self._recorded_with,
                    "target": target or {},
                }
            )

    def write(self, record: dict[str, Any]) -> None:
        if record.get("type") != "header":
            self.header(None)
        with self._lock:
            self._write_line(record)

    def _write_line(self, record: dict[str, Any]) -> None:
        """Redact, placeholder and append one record; the caller holds ``_lock``."""
        record = {**record, "t": self.elapsed()} if "t" not in record else record
        cleaned = self.clean(record)
        self._handle.write(json.dumps(cleaned, sort_keys=True, ensure_ascii=False) + "\n")
        self._handle.flush()
        self._count += 1

    def close(self) -> None:
        self.header(None)
        with self._lock:
            self._handle.close()


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def read_transcript(path: Path) -> list[dict[str, Any]]:
    """Every record of ``path``, each checked against the schema."""
    return list(iter_transcript(path))


def iter_transcript(path: Path) -> Iterator[dict[str, Any]]:
    validator = jsonschema.Draft202012Validator(schema())
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise InvalidTranscript(f"{path}: cannot read: {exc}") from exc
    with handle:
        for number, line in enumerate(_bounded_lines(handle), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise InvalidTranscript(f"{path}:{number}: not JSON: {exc}") from exc
            errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
            if errors:
                where = "/".join(str(p) for p in errors[0].path) or "(record)"
                raise InvalidTranscript(f"{path}:{number}: {where}: {errors[0].message}")
            if number == 1 and record.get("type") != "header":
                raise InvalidTranscript(f"{path}:1: the first record must be the header")
            if number == 1 and record.get("version") != VERSION:
                raise InvalidTranscript(
                    f"{path}:1: transcript version {record.get('version')}; "
                    f"this suite reads version {VERSION}"
                )
            yield record


def _bounded_lines(handle: Any) -> Iterable[str]:
    for count in range(MAX_RECORDS + 1):
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if count == MAX_RECORDS or len(line) > MAX_LINE_BYTES:
            raise InvalidTranscript("transcript too large (records or line length)")
        yield line
