"""Talking to the probe model through the target: instructions in, records out.

The probe (reference/probe) obeys a JSON payload and answers with a record of what
it received. The suite never reaches the probe directly, only through the target
and the output objects, exactly as it would on real SageMaker.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


def probe_payload(
    *,
    tag: str,
    sleep_ms: int | None = None,
    status: int | None = None,
    body_bytes: int | None = None,
    content_type: str | None = None,
    custom_attributes: str | None = None,
) -> bytes:
    """The JSON payload that makes the probe behave as asked."""
    instructions: dict[str, Any] = {"tag": tag}
    for key, value in (
        ("sleep_ms", sleep_ms),
        ("status", status),
        ("body_bytes", body_bytes),
        ("content_type", content_type),
        ("custom_attributes", custom_attributes),
    ):
        if value is not None:
            instructions[key] = value
    return json.dumps(instructions, sort_keys=True).encode("utf-8")


# The probe's answer to ``body_bytes=N``: this pattern repeated, cut to N bytes
# (part of the probe protocol, like the record's fields).
FILL_PATTERN = b"0123456789abcdef"


def sized_answer(size: int) -> bytes:
    """The exact bytes the probe returns for ``body_bytes=size``."""
    return (FILL_PATTERN * (size // len(FILL_PATTERN) + 1))[:size]


def new_tag(purpose: str) -> str:
    """A tag unique to this run and request, readable in evidence."""
    return f"{purpose}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class ProbeRecord:
    """What the probe says it received and when."""

    headers: dict[str, str]
    tag: str | None
    body_sha256: str | None
    body_length: int | None
    started_at: float | None
    finished_at: float | None
    sequence: int | None
    history: tuple[str, ...]
    raw: dict[str, Any]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse_probe_record(body: bytes) -> ProbeRecord | None:
    """The probe record in an output object, or None when the bytes are not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("probe") != 1:
        return None
    headers = data.get("headers") if isinstance(data.get("headers"), dict) else {}
    history = data.get("history") if isinstance(data.get("history"), list) else []
    return ProbeRecord(
        headers={str(k).lower(): str(v) for k, v in headers.items()},
        tag=data.get("tag") if isinstance(data.get("tag"), str) else None,
        body_sha256=data.get("body_sha256"),
        body_length=data.get("body_length"),
        started_at=_number(data.get("started_at")),
        finished_at=_number(data.get("finished_at")),
        sequence=data.get("sequence") if isinstance(data.get("sequence"), int) else None,
        history=tuple(str(t) for t in history if t is not None),
        raw=data,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
