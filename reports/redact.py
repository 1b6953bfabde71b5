"""Remove credentials and ``sensitive`` members from anything a report stores.

``redact(value, secrets=...)`` walks dicts, lists and tuples and rewrites every
string (keys included). Three nets, applied in order:

1. *Keyed values*: a mapping entry (or a ``[name, value]`` pair, the shape of a
   header list) whose key names a secret — ``Authorization``,
   ``X-Amz-Security-Token``, ``X-Amzn-SageMaker-Custom-Attributes`` /
   ``CustomAttributes`` (a ``sensitive`` member in the AWS model),
   ``aws_secret_access_key``, session tokens, ``X-Amz-Signature`` ... — is
   replaced; its value is also *harvested*, so the same text is removed
   wherever else it appears (a curl line, a Hypothesis example, a probe
   record's body preview).
2. *Known secrets*: ``secrets`` plus the harvested values, as plain substrings.
   Values shorter than ``MIN_SECRET_LENGTH`` are not replaced as substrings
   (that would shred ordinary text); their keyed and pattern forms still are.
3. *Patterns* for free text: SigV4 ``Credential=``/``Signature=`` (headers and
   presigned-URL query parameters), ``X-Amz-Security-Token=``, ``NAME: value``
   / ``NAME=value`` / ``"NAME": "value"`` for the names above, access key IDs
   (``AKIA…``/``ASIA…``), ``Bearer``/``Basic`` tokens, ``curl --user``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8

# Keys compared after lower-casing and dropping "-", "_" and spaces.
_SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "proxyauthorization",
        "xamzsecuritytoken",
        "xamzsignature",
        "xamzcredential",
        "xamznsagemakercustomattributes",
        "customattributes",
        "awsaccesskeyid",
        "accesskeyid",
        "awssecretaccesskey",
        "secretaccesskey",
        "secretkey",
        "awssessiontoken",
        "sessiontoken",
        "awssecuritytoken",
        "securitytoken",
        "credentials",
        "password",
    }
)

# Environment variables whose values are secrets wherever they show up.
_SECRET_ENV_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
)

_NAMES = (
    r"(?:x-amzn-sagemaker-)?custom[-_]?attributes"
    r"|x-amz-security-token|(?:aws[-_]?)?(?:session|security)[-_]?token"
    r"|(?:aws[-_]?)?secret[-_]?access[-_]?key|(?:aws[-_]?)?access[-_]?key[-_]?id"
    r"|x-amz-signature|x-amz-credential|proxy-authorization"
)
# NAME, an optional closing quote, a separator: where a value starts. The value is
# then read by `_value_at`, a bounded scan, never by a backtracking pattern: target
# text can hold megabytes of quotes and backslashes (issue 14's exponential case).
_HEAD = re.compile(
    r"\b(?:" + _NAMES + r")\\?['\"]?[ \t]{0,64}(?P<sep>[:=])[ \t]{0,64}", re.IGNORECASE
)
# Longest value read after a NAME (characters); CustomAttributes is at most 1,024,
# escaped forms a few times that. Longer values are cut there, still redacted.
MAX_VALUE_CHARS = 8_192
# Free-text values harvested per document: beyond this, only their keyed forms go.
MAX_HARVESTED = 64
_QUOTED = {
    q: re.compile(r"(?:\\[^\r\n]|[^\\\r\n" + q + r"]){0," + str(MAX_VALUE_CHARS) + "}")
    for q in ("'", '"')
}
_BARE = re.compile(r"[^\r\n'\"]{0," + str(MAX_VALUE_CHARS) + "}")
_BARE_QUERY = re.compile(r"[^\s&;,]*")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(credential=)[^,\s\"'&]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(signature=)[^,\s\"'&]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(x-amz-security-token=)[^\s\"'&]+"), r"\1" + REDACTED),
    (re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA)[A-Z0-9]{12,}\b"), REDACTED),
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    (re.compile(r"(--user\s+|(?<!\S)-u\s+)(['\"]?)(?!\$)[^\s'\"]+\2"), r"\1\2" + REDACTED + r"\2"),
)


def redact(value: T, *, secrets: Iterable[str] = ()) -> T:
    """``value`` with every secret removed from every string in it (see the module doc)."""
    known = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH}
    _harvest(value, known)
    # A secret echoed inside a JSON document (a response body, a notification) reads
    # JSON-escaped there: `"` as `\"`, a control character as `\u0009`.
    known |= {escaped for s in known if (escaped := json.dumps(s)[1:-1]) != s}
    ordered = sorted(known, key=len, reverse=True)
    return _walk(value, ordered)


def environment_secrets(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The AWS credential values set in the environment (``AWS_SECRET_ACCESS_KEY``, ...)."""
    env = os.environ if environ is None else environ
    return tuple(env[name] for name in _SECRET_ENV_VARS if env.get(name))


def redact_text(text: str, *, secrets: Iterable[str] = ()) -> str:
    """One string, redacted (``secrets`` are substrings to remove)."""
    return redact(text, secrets=secrets)


def is_sensitive_key(key: object) -> bool:
    """Does ``key`` name a secret (its value is redacted whole)?"""
    return _is_sensitive_key(key)


def _is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    return re.sub(r"[-_\s]", "", key).lower() in _SENSITIVE_KEYS


def _harvest(value: Any, found: set[str]) -> None:
    """Collect the values of sensitive keys (and SigV4 parts) into ``found``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _is_sensitive_key(key):
                _harvest_value(item, found)
            else:
                _harvest(item, found)
    elif isinstance(value, list | tuple):
        if _is_pair(value) and _is_sensitive_key(value[0]):
            _harvest_value(value[1], found)
            return
        for item in value:
            _harvest(item, found)
    elif isinstance(value, str):
        for span in _name_values(value):
            secret = span.value.strip()
            if (
                len(secret) >= MIN_SECRET_LENGTH
                and not secret.startswith("$")
                and REDACTED not in secret
                and len(found) < MAX_HARVESTED
            ):
                found.add(secret)


def _harvest_value(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        parts = re.findall(r"(?i)(?:credential|signature)=([^,\s\"'&]+)", value)
        for part in [*parts, *(p.split("/")[0] for p in parts), value.strip()]:
            if len(part) >= MIN_SECRET_LENGTH and REDACTED not in part:
                found.add(part)
    elif isinstance(value, Mapping):
        for item in value.values():
            _harvest_value(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _harvest_value(item, found)


def _is_pair(value: list[Any] | tuple[Any, ...]) -> bool:
    return len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str)


def _walk(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return _redact_string(value, secrets)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            new_key = _redact_string(key, secrets) if isinstance(key, str) else key
            out[new_key] = _redact_keyed(key, item, secrets)
        return type(value)(out) if isinstance(value, dict) else out
    if isinstance(value, list | tuple):
        if _is_pair(value) and _is_sensitive_key(value[0]):
            items = [value[0], _redact_keyed(value[0], value[1], secrets)]
        else:
            items = [_walk(item, secrets) for item in value]
        return type(value)(items) if isinstance(value, tuple) else items
    return value


def _redact_keyed(key: object, item: Any, secrets: list[str]) -> Any:
    if not _is_sensitive_key(key):
        return _walk(item, secrets)
    if isinstance(item, str) and item == "":
        return item
    if isinstance(item, str) and re.sub(r"[-_\s]", "", key).lower() == "authorization":  # type: ignore[arg-type]
        # Keep the scheme and SignedHeaders (useful evidence); drop the rest.
        redacted = _redact_string(item, [s for s in secrets if s != item.strip()])
        if "Credential=" in item:  # the patterns below always cut its secret parts
            return redacted
    return REDACTED


def replace_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` (plain substrings) replaced by the one
    mask, longest first. The suite's terminal scrubbing uses this too."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _redact_string(text: str, secrets: list[str]) -> str:
    text = replace_secrets(text, secrets)
    text = _redact_name_values(text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class _Span:
    """One NAME-value in free text: ``text[start:end]`` is ``head`` + quote + value ..."""

    start: int
    head_end: int
    end: int
    value: str
    quote: str  # "", "'", '"', "\\'" or '\\"'
    closed: bool
    rest: str  # what follows a bare value on its line (kept)


def _name_values(text: str) -> list[_Span]:
    """Every NAME-value in ``text``, left to right, in time linear in ``len(text)``:
    each character is read by at most one head match and one value scan."""
    spans: list[_Span] = []
    position = 0
    while True:
        head = _HEAD.search(text, position)
        if head is None:
            return spans
        span = _value_at(text, head)
        spans.append(span)
        position = max(span.end, head.end(), position + 1)


def _value_at(text: str, head: re.Match[str]) -> _Span:
    start, at = head.start(), head.end()
    if text.startswith(("\\'", '\\"'), at):
        # A value in escaped quotes (text that was JSON-encoded once more).
        quote = text[at : at + 2]
        limit = min(len(text), at + 2 + MAX_VALUE_CHARS)
        close = text.find(quote, at + 2, limit)
        if close >= 0:
            return _Span(start, at, close + 2, text[at + 2 : close], quote, True, "")
        end = _line_end(text, at + 2, limit)
        return _Span(start, at, end, text[at + 2 : end], quote, False, "")
    if at < len(text) and text[at] in "'\"":
        quote = text[at]
        scan = _QUOTED[quote].match(text, at + 1)
        assert scan is not None  # the pattern matches the empty string
        if scan.end() < len(text) and text[scan.end()] == quote:
            return _Span(start, at, scan.end() + 1, scan.group(0), quote, True, "")
        # No closing quote (a cut preview): the value runs to where the scan stopped.
        return _Span(start, at, scan.end(), scan.group(0), quote, False, "")
    bare = _BARE.match(text, at)
    assert bare is not None
    whole = bare.group(0)
    value = whole
    if head.group("sep") == "=":
        # NAME=value in a query string or an env line: the value ends at a delimiter.
        value = _BARE_QUERY.match(whole).group(0)  # type: ignore[union-attr]
    return _Span(start, at, bare.end(), value, "", True, whole[len(value) :])


def _line_end(text: str, start: int, limit: int) -> int:
    ends = [i for i in (text.find("\n", start, limit), text.find("\r", start, limit)) if i >= 0]
    return min(ends) if ends else limit


def _redact_name_values(text: str) -> str:
    spans = _name_values(text)
    if not spans:
        return text
    out: list[str] = []
    position = 0
    for span in spans:
        out.append(text[position : span.start])
        out.append(_replacement(text, span))
        position = span.end
    out.append(text[position:])
    return "".join(out)


def _replacement(text: str, span: _Span) -> str:
    head = text[span.start : span.head_end]
    if span.quote:
        closing = span.quote if span.closed else ""
        return f"{head}{span.quote}{REDACTED if span.value else ''}{closing}"
    value = span.value
    if not value.strip() or value.startswith("$"):  # empty, or a shell variable reference
        return text[span.start : span.end]
    return f"{head}{REDACTED}{span.rest}"
