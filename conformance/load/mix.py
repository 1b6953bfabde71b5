"""The request mix of a burst: which kinds of request, in what shares, and what each expects.

Shared by the driver (which sends them) and the judgement (which knows what each
kind must end as). Kinds:

- ``s3``: input uploaded to the input prefix, sent as InputLocation; ends as an output;
- ``inline``: the same input as an inline Body (revision 2026); ends as an output;
- ``named``: an S3 input with Filename and S3OutputPathExtension (revision 2026-02);
- ``model-error``: the probe answers 500; ends as a failure;
- ``timeout``: the probe sleeps past InvocationTimeoutSeconds (1 s, scaled); a failure;
- ``ttl``: RequestTTLSeconds at the 60 s floor: runs before its TTL or fails unrun;
- ``invalid``: RequestTTLSeconds 59, below the floor: rejected with 400, leaves nothing.

Kinds are spread evenly through the burst (a smooth weighted round robin), so any
stretch of it has the shares of the whole.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

KINDS = ("s3", "inline", "named", "model-error", "timeout", "ttl", "invalid")
DEFAULT_MIX = "s3=75,inline=10,named=5,model-error=4,timeout=1,ttl=3,invalid=2"
TIMEOUT_SECONDS = 1
TTL_SECONDS = 60
INVALID_TTL_SECONDS = 59


class MixError(ValueError):
    pass


@dataclass(frozen=True)
class Mix:
    weights: tuple[tuple[str, int], ...]
    cycle: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, text: str) -> Mix:
        """``"s3=80,inline=20"`` (shares, any positive integers); empty = the default."""
        weights: dict[str, int] = {}
        for item in (text or DEFAULT_MIX).split(","):
            name, sep, value = item.strip().partition("=")
            if name not in KINDS or not sep:
                raise MixError(f"--mix {text}: {item.strip()!r} is not KIND=SHARE "
                               f"(kinds: {', '.join(KINDS)})")
            try:
                share = int(value)
            except ValueError:
                raise MixError(
                    f"--mix {text}: share {value!r} of {name} is not an integer"
                ) from None
            if share < 0:
                raise MixError(f"--mix {text}: share of {name} is negative")
            if share:
                weights[name] = share
        if not weights:
            raise MixError(f"--mix {text}: every share is zero")
        if set(weights) == {"invalid"}:
            raise MixError(f"--mix {text}: only invalid requests: nothing would be accepted")
        return cls(tuple(weights.items()), _smooth_cycle(weights))

    def kind(self, index: int) -> str:
        return self.cycle[index % len(self.cycle)]

    def share(self, kind: str) -> float:
        total = sum(w for _, w in self.weights)
        return dict(self.weights).get(kind, 0) / total

    def to_text(self) -> str:
        return ",".join(f"{k}={w}" for k, w in self.weights)


def _smooth_cycle(weights: dict[str, int]) -> tuple[str, ...]:
    divisor = math.gcd(*weights.values())
    reduced = {k: w // divisor for k, w in weights.items()}
    total = sum(reduced.values())
    current = dict.fromkeys(reduced, 0)
    cycle = []
    for _ in range(total):
        for name, weight in reduced.items():
            current[name] += weight
        chosen = max(current, key=lambda n: current[n])
        current[chosen] -= total
        cycle.append(chosen)
    return tuple(cycle)


@dataclass
class LoadRequest:
    params: dict[str, Any]
    input_body: bytes | None  # uploaded to S3 and sent as InputLocation when not None
    expect: dict[str, Any]  # what the judgement needs to know about this request


def probe_input(tag: str, **instructions: Any) -> bytes:
    return json.dumps({"tag": tag, **instructions}, sort_keys=True).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def request_for(kind: str, tag: str, plan: dict[str, Any]) -> LoadRequest:
    """The InvokeEndpointAsync parameters (boto3 names) for one request of ``kind``."""
    params: dict[str, Any] = {
        "EndpointName": plan["endpoint_name"], "InferenceId": tag,
        "ContentType": "application/json",
    }
    scale = float(plan.get("clock_scale") or 1.0)
    body = probe_input(tag)
    expect: dict[str, Any] = {"expect": "output"}
    upload = True
    if kind == "inline":
        params["Body"] = body
        upload = False
    elif kind == "named":
        params["Filename"] = f"{tag[-24:]}.out"
        params["S3OutputPathExtension"] = "load-named"
    elif kind == "model-error":
        body = probe_input(tag, status=500)
        expect = {"expect": "failure"}
    elif kind == "timeout":
        # Well past the (scaled) timeout, so the verdict never hangs on a close call.
        body = probe_input(tag, sleep_ms=int(3000 * TIMEOUT_SECONDS * scale) + 100)
        params["InvocationTimeoutSeconds"] = TIMEOUT_SECONDS
        expect = {"expect": "failure"}
    elif kind == "ttl":
        params["RequestTTLSeconds"] = TTL_SECONDS
        expect = {"expect": "either", "ttl_real_s": TTL_SECONDS * scale}
    elif kind == "invalid":
        params["Body"] = body
        params["RequestTTLSeconds"] = INVALID_TTL_SECONDS
        expect = {"expect": "rejected"}
        upload = False
    expect["input_sha256"] = sha256(body)
    return LoadRequest(params, body if upload else None, expect)
