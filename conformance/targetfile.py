"""The target file: a small TOML document describing one target.

It holds what botocore's own configuration does not know (endpoint name, input
prefix, claimed revision and profiles, clock scale, ...). Precedence, applied by
target resolution, not here: command-line options win over the file, the file
over the environment.

Reading uses the stdlib ``tomllib``; writing uses the small writer below,
because the stdlib has no TOML writer and the format is flat enough (scalars,
arrays of strings, one level of tables) that a dependency is not worth it.
Every problem is a ``TargetFileError`` naming the file, the key and the fix.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from spec.catalogue import PROFILES

# The profiles a target may claim are the catalogue's.
KNOWN_PROFILES: tuple[str, ...] = PROFILES
NOTIFICATION_TOPICS: tuple[str, ...] = ("SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC")


class TargetFileError(ValueError):
    """A target file that cannot be read; the message says where and what to fix."""


@dataclass(frozen=True)
class Endpoints:
    """Per-service endpoint URLs; same meaning as ``AWS_ENDPOINT_URL_<SERVICE>``."""

    sagemaker_runtime: str | None = None
    sagemaker: str | None = None
    s3: str | None = None
    sns: str | None = None
    sqs: str | None = None

    def as_env(self) -> dict[str, str]:
        """The ``AWS_ENDPOINT_URL_<SERVICE>`` variables these endpoints stand for."""
        return {
            f"AWS_ENDPOINT_URL_{f.name.upper()}": getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class AsyncConfig:
    """The endpoint's async config, for targets whose control plane cannot describe it."""

    s3_output_path: str | None = None
    s3_failure_path: str | None = None
    success_topic: str | None = None
    error_topic: str | None = None
    include_inference_response_in: tuple[str, ...] | None = None
    max_concurrent_invocations_per_instance: int | None = None
    instance_count: int | None = None


@dataclass(frozen=True)
class Notifications:
    """An existing SQS queue subscribed to both notification topics."""

    queue_url: str | None = None


@dataclass(frozen=True)
class Deployment:
    """What ``conformance deploy-probe`` created; ``conformance teardown`` reads it."""

    tag_key: str
    tag_value: str
    resources: tuple[str, ...] = ()
    # Not in the suite's own needs, but the cost estimate prices the instance type.
    instance_type: str | None = None


@dataclass(frozen=True)
class TargetFile:
    """One target file. ``None`` means "not set here" (resolution falls back)."""

    name: str | None = None
    endpoint_name: str | None = None
    scenario_endpoint_name: str | None = None
    input_s3: str | None = None
    revision: str | None = None
    profiles: tuple[str, ...] | None = None
    probe: bool | None = None
    clock_scale: float | None = None
    outcome_deadline: float | None = None
    region: str | None = None
    expectations: str | None = None
    aws: bool | None = None
    endpoints: Endpoints | None = None
    async_config: AsyncConfig | None = None
    notifications: Notifications | None = None
    deployment: Deployment | None = None
    # Where the file was read from: relative paths in it resolve against its folder.
    # Not part of the format, so equality and round-trips ignore it.
    source: Path | None = field(default=None, compare=False, repr=False)

    def expectations_path(self) -> Path | None:
        """``expectations`` resolved against the target file's folder."""
        if self.expectations is None:
            return None
        path = Path(self.expectations)
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path


# ---------------------------------------------------------------- validation

_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$")
_HTTP_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_SNS_ARN = re.compile(r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_\-]{1,256}$")
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")

Check = Callable[[Any], str | None]  # returns what is wrong, or None


def _string(pattern: re.Pattern[str] | None = None, example: str = "") -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"expected a string{f' like {example!r}' if example else ''}"
        if pattern is not None and not pattern.match(value):
            return f"{value!r} is not valid; expected something like {example!r}"
        return None

    return check


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _positive_number(value: Any) -> str | None:
    # bool is an int subclass in Python; TOML's true is not a number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "expected a number such as 1.0"
    if not math.isfinite(value) or value <= 0:
        return f"{value!r} is not valid; expected a positive number such as 1.0"
    return None


def _integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer from {low} to {high}"
        if not low <= value <= high:
            return f"{value} is out of range; expected {low} to {high}"
        return None

    return check


def _strings(allowed: tuple[str, ...] | None = None, example: str = "") -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"expected a list of strings like {example}"
        if allowed is not None:
            unknown = [v for v in value if v not in allowed]
            if unknown:
                return f"unknown value(s) {unknown}; allowed: {', '.join(allowed)}"
        return None

    return check


_S3_EXAMPLE = "s3://bucket/prefix/"
_TOP: dict[str, Check] = {
    "name": _string(),
    "endpoint_name": _string(_ENDPOINT_NAME, "conformance-probe"),
    "scenario_endpoint_name": _string(_ENDPOINT_NAME, "conformance-probe-scenarios"),
    "input_s3": _string(_S3_URI, _S3_EXAMPLE),
    "revision": _string(example="2026"),
    "profiles": _strings(KNOWN_PROFILES, '["core", "validation"]'),
    "probe": _boolean,
    "clock_scale": _positive_number,
    "outcome_deadline": _positive_number,
    "region": _string(re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"), "us-east-1"),
    "expectations": _string(example="expectations.toml"),
    "aws": _boolean,
}
_FLOATS = {"clock_scale", "outcome_deadline"}
_URL = _string(_HTTP_URL, "http://127.0.0.1:4566")
_TOPIC = _string(_SNS_ARN, "arn:aws:sns:us-east-1:123456789012:topic")
_TABLES: dict[str, tuple[type, dict[str, Check]]] = {
    "endpoints": (Endpoints, {f.name: _URL for f in fields(Endpoints)}),
    "async_config": (
        AsyncConfig,
        {
            "s3_output_path": _string(_S3_URI, "s3://bucket/prefix/output"),
            "s3_failure_path": _string(_S3_URI, "s3://bucket/prefix/failure"),
            "success_topic": _TOPIC,
            "error_topic": _TOPIC,
            "include_inference_response_in": _strings(
                NOTIFICATION_TOPICS, '["SUCCESS_NOTIFICATION_TOPIC"]'
            ),
            "max_concurrent_invocations_per_instance": _integer(1, 1000),
            "instance_count": _integer(1, 1000),
        },
    ),
    "notifications": (
        Notifications,
        {"queue_url": _string(_HTTP_URL, "https://sqs.us-east-1.amazonaws.com/123456789012/q")},
    ),
    "deployment": (
        Deployment,
        {
            "tag_key": _string(example="conformance:deployment"),
            "tag_value": _string(example="conformance-probe"),
            "resources": _strings(example='["arn:aws:sns:..."]'),
            "instance_type": _string(re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$"), "ml.m5.large"),
        },
    ),
}
_REQUIRED_IN_TABLE = {"deployment": ("tag_key", "tag_value")}


def _fail(path: Path, key: str, problem: str) -> TargetFileError:
    return TargetFileError(f"{path}: key {key!r}: {problem}")


def _convert(value: Any) -> Any:
    # Arrays become tuples so the frozen dataclass is hashable and truly immutable.
    return tuple(value) if isinstance(value, list) else value


def _read_table(path: Path, table: str, raw: Any) -> Any:
    cls, checks = _TABLES[table]
    if not isinstance(raw, dict):
        raise _fail(path, table, f"expected a table: write it as [{table}]")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{table}.{key}"
        if key not in checks:
            raise _fail(path, dotted, f"unknown key; [{table}] accepts {', '.join(sorted(checks))}")
        problem = checks[key](value)
        if problem:
            raise _fail(path, dotted, problem)
        values[key] = _convert(value)
    for key in _REQUIRED_IN_TABLE.get(table, ()):
        if key not in values:
            raise _fail(path, f"{table}.{key}", f"missing; [{table}] must set it")
    return cls(**values)


def parse_target_file(document: Mapping[str, Any], path: Path) -> TargetFile:
    """Validate an already-parsed TOML document; ``path`` is only for messages."""
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key in _TABLES:
            values[key] = _read_table(path, key, value)
        elif key in _TOP:
            problem = _TOP[key](value)
            if problem:
                raise _fail(path, key, problem)
            values[key] = float(value) if key in _FLOATS else _convert(value)
        else:
            known = ", ".join([*_TOP, *(f"[{t}]" for t in _TABLES)])
            raise _fail(path, key, f"unknown key; a target file accepts {known}")
    return TargetFile(**values, source=path)


def load_target_file(path: str | os.PathLike[str]) -> TargetFile:
    """Read and validate a target file; raises ``TargetFileError`` with the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TargetFileError(f"{path}: no such target file; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetFileError(f"{path}: cannot read the target file: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetFileError(f"{path}: not valid TOML: {exc}") from None
    return parse_target_file(document, path)


# ---------------------------------------------------------------- writing


def _toml_string(value: str) -> str:
    out = []
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            # TOML basic strings forbid raw control characters.
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        # repr gives "1e-05" or "3.0": both TOML floats; "1e+16" too. Only a bare
        # integer-looking repr would read back as an int, which repr never produces.
        return text
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a target file")


def _lines(obj: Any) -> list[str]:
    return [
        f"{f.name} = {_toml_value(getattr(obj, f.name))}"
        for f in fields(obj)
        if f.name != "source" and getattr(obj, f.name) is not None and f.name not in _TABLES
    ]


def dump_target_file(target: TargetFile) -> str:
    """The TOML text of a target file (keys in the documented order)."""
    parts = ["\n".join(_lines(target))]
    for table in _TABLES:
        section = getattr(target, table)
        if section is None:
            continue
        body = _lines(section)
        if body:
            parts.append(f"[{table}]\n" + "\n".join(body))
    return "\n\n".join(p for p in parts if p) + "\n"


def write_target_file(path: str | os.PathLike[str], target: TargetFile) -> None:
    """Write atomically: a half-written target file would lose the deployment record."""
    path = Path(path)
    text = dump_target_file(target)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
