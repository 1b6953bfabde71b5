"""The probe model: a SageMaker inference container that reports what it received.

Container contract (SageMaker developer guide): `GET /ping` answers 200 when
ready, `POST /invocations` receives the payload. The payload may be a JSON object
of instructions, all optional (anything else counts as `{}`):

- `sleep_ms`: wait this long before answering;
- `status`: answer with this HTTP status (500 makes the model fail);
- `body_bytes`: answer with exactly this many bytes instead of the record;
- `content_type`: the response Content-Type;
- `custom_attributes`: the response `X-Amzn-SageMaker-Custom-Attributes`;
- `tag`: a string the probe remembers in `history`.

Unless `body_bytes` is given the answer is the record: method, path, headers
(lower-cased names), body_sha256, body_length, tag, started_at/finished_at (epoch
seconds), sequence (increasing per request received) and history (tags of the
last 1000 tagged requests processed, this one included). `history` is how a later
request proves an earlier one never ran, the only way to observe that on real
SageMaker. Stdlib + aiohttp only, so the container image stays small.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

HISTORY_LENGTH = 1000
RECORD_CONTENT_TYPE = "application/json"
# A fixed pattern, so an output of N bytes can be recomputed by whoever checks it.
FILL_PATTERN = b"0123456789abcdef"


class BadInstruction(ValueError):
    """The payload asked for something the probe cannot do."""


@dataclass(frozen=True)
class Instructions:
    sleep_ms: int = 0
    status: int = 200
    body_bytes: int | None = None
    content_type: str | None = None
    custom_attributes: str | None = None
    tag: str | None = None

    @classmethod
    def from_payload(cls, payload: bytes) -> Instructions:
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(
            sleep_ms=_int(data, "sleep_ms", 0, 0, 24 * 3600 * 1000),
            status=_int(data, "status", 200, 100, 599),
            body_bytes=_optional_int(data, "body_bytes", 0, 1 << 31),
            content_type=_optional_str(data, "content_type"),
            custom_attributes=_optional_str(data, "custom_attributes"),
            tag=_optional_str(data, "tag"),
        )


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = _optional_int(data, key, low, high)
    return default if value is None else value


def _optional_int(data: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadInstruction(f"{key}={value!r}: expected an integer in {low}..{high}")
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInstruction(f"{key}={value!r}: expected a string")
    return value


@dataclass
class ProbeState:
    """What the probe remembers across requests (one per app, loop-confined)."""

    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    history: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY_LENGTH))


STATE = web.AppKey("probe_state", ProbeState)


def fill(length: int) -> bytes:
    repeats = length // len(FILL_PATTERN) + 1
    return (FILL_PATTERN * repeats)[:length]


def received_headers(request: web.Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


async def ping(request: web.Request) -> web.Response:
    return web.Response(status=200, text="")


async def invocations(request: web.Request) -> web.Response:
    state = request.app[STATE]
    started_at = time.time()
    sequence = next(state.sequence)
    body = await request.read()
    try:
        instructions = Instructions.from_payload(body)
    except BadInstruction as exc:
        return web.json_response({"probe": 1, "error": str(exc)}, status=400)
    if instructions.sleep_ms:
        await asyncio.sleep(instructions.sleep_ms / 1000)
    if instructions.tag is not None:
        state.history.append(instructions.tag)
    headers = {}
    if instructions.custom_attributes is not None:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = instructions.custom_attributes
    if instructions.body_bytes is not None:
        payload = fill(instructions.body_bytes)
    else:
        record = {
            "probe": 1,
            "method": request.method,
            "path": request.path,
            "headers": received_headers(request),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_length": len(body),
            "tag": instructions.tag,
            "started_at": started_at,
            "finished_at": time.time(),
            "sequence": sequence,
            "history": list(state.history),
        }
        payload = json.dumps(record).encode()
    headers["Content-Type"] = instructions.content_type or RECORD_CONTENT_TYPE
    return web.Response(status=instructions.status, body=payload, headers=headers)


def create_app() -> web.Application:
    # The container contract allows payloads of up to 6 MB for real-time and
    # 1 GB for async inference; accept generously.
    app = web.Application(client_max_size=1 << 30)
    app[STATE] = ProbeState()
    app.router.add_get("/ping", ping)
    app.router.add_post("/invocations", invocations)
    return app
