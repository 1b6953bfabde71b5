"""No credential, session token, signature or CustomAttributes value reaches any
artefact or the terminal: plant unique secrets, run `conformance run` against a
target that breaks CustomAttributes (so evidence is recorded), search every byte."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference.parts import DEFAULT_PARTS
from reference.parts.forwarding import CUSTOM_ATTRIBUTES, ApiHeaderForwarder
from reference.request import AsyncRequest
from reference.stack import EmbeddedStack, StackSettings

ACCESS_KEY = "AKIAPLANTEDSECRET7Q4Z"
SECRET_KEY = "planted/secret+key/Zq81vX03mLw9TeRkUu2YcJ5hNb"
SESSION_TOKEN = "planted-session-token-FQoGZXIvYXdzEJr-7c1d0e"
SIGNATURE = re.compile(r"Signature=[0-9a-f]{64}")


@dataclasses.dataclass(frozen=True)
class SpyingTruncatingForwarder(ApiHeaderForwarder):
    """Records every CustomAttributes value it saw and cuts those of 8 characters or
    more (so HDR-002 fails on a value long enough to search for, and its evidence,
    with the request headers, lands in every artefact)."""

    seen: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def container_headers(self, request: AsyncRequest) -> dict[str, str]:
        headers = super().container_headers(request)
        value = headers.get(CUSTOM_ATTRIBUTES)
        if value is not None:
            with self.lock:
                self.seen.append(value)
            if len(value) >= 8:
                headers[CUSTOM_ATTRIBUTES] = value[:-1]
        return headers


@pytest.fixture(scope="module")
def spy() -> SpyingTruncatingForwarder:
    return SpyingTruncatingForwarder()


@pytest.fixture(scope="module")
def stack(spy: SpyingTruncatingForwarder) -> Iterator[StackSettings]:
    parts = dataclasses.replace(DEFAULT_PARTS, header_forwarder=spy)
    with EmbeddedStack(clock_scale=0.05, parts=parts, credentials=(ACCESS_KEY, SECRET_KEY)) as s:
        yield s


def test_planted_secrets_appear_in_no_artefact_and_not_on_the_terminal(
    stack: StackSettings, spy: SpyingTruncatingForwarder, tmp_path: Path
) -> None:
    report = tmp_path / "report"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    env.update(stack.env)
    env["AWS_SESSION_TOKEN"] = SESSION_TOKEN
    env["CONFORMANCE_CLOCK_SCALE"] = str(stack.clock_scale)
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--report-dir", str(report),
         "--depth", "standard", "-p", "no:randomly", "-k", "test_headers or test_auth"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    terminal = done.stdout + done.stderr
    assert done.returncode == 1, terminal[-3000:]  # HDR-002 broken: not conformant
    assert "IEA-HDR-002" in terminal

    planted = [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN]
    custom_attributes = sorted({v for v in spy.seen if len(v) >= 8})
    assert custom_attributes, f"no CustomAttributes long enough to search for: {spy.seen!r}"
    artefacts = {p.name: p.read_bytes() for p in report.iterdir() if p.is_file()}
    assert {"results.json", "report.html", "junit.xml", "summary.md", "badge.json"} <= set(
        artefacts
    )
    places = {"terminal": terminal.encode(), **artefacts}
    for where, content in places.items():
        for secret in [*planted, *custom_attributes]:
            for form in {secret, secret.replace("/", "\\/"), secret.replace('"', '\\"')}:
                assert form.encode() not in content, f"a planted secret leaked into {where}"
        assert not SIGNATURE.search(content.decode("utf-8", "replace")), where
