"""The probe model container: contract endpoints, the record, and every instruction."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference.probe import HISTORY_LENGTH, ProbeServer, fill
from reference.probe.__main__ import main as probe_main


@pytest.fixture(scope="module")
def probe() -> Iterator[ProbeServer]:
    server = ProbeServer()
    server.start()
    yield server
    server.stop()


def invoke(probe: ProbeServer, payload: bytes, headers: dict[str, str] | None = None):
    request = urllib.request.Request(
        f"{probe.url}/invocations", data=payload, headers=headers or {}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_ping_answers_200(probe: ProbeServer) -> None:
    with urllib.request.urlopen(f"{probe.url}/ping", timeout=5) as response:
        assert response.status == 200


def test_record_describes_the_request(probe: ProbeServer) -> None:
    payload = json.dumps({"tag": "record-1"}).encode()
    status, headers, body = invoke(probe, payload, {"X-Extra": "yes", "Content-Type": "text/x"})
    record = json.loads(body)
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert record["probe"] == 1
    assert record["method"] == "POST" and record["path"] == "/invocations"
    assert record["headers"]["x-extra"] == "yes"
    assert record["headers"]["content-type"] == "text/x"
    assert record["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert record["body_length"] == len(payload)
    assert record["tag"] == "record-1"
    assert record["started_at"] <= record["finished_at"]
    assert record["history"][-1] == "record-1"


def test_sequence_increases_and_history_remembers(probe: ProbeServer) -> None:
    first = json.loads(invoke(probe, b'{"tag": "h-a"}')[2])
    second = json.loads(invoke(probe, b'{"tag": "h-b"}')[2])
    assert second["sequence"] > first["sequence"]
    assert second["history"][-2:] == ["h-a", "h-b"]
    assert len(second["history"]) <= HISTORY_LENGTH


def test_non_json_payload_counts_as_empty(probe: ProbeServer) -> None:
    status, _, body = invoke(probe, b"\xff\x00 not json")
    record = json.loads(body)
    assert status == 200 and record["tag"] is None and record["body_length"] == 11


def test_instructions_status_body_bytes_headers(probe: ProbeServer) -> None:
    payload = json.dumps(
        {"status": 500, "body_bytes": 37, "content_type": "text/csv", "custom_attributes": "a=b"}
    ).encode()
    status, headers, body = invoke(probe, payload)
    assert status == 500
    assert body == fill(37)
    assert headers["Content-Type"] == "text/csv"
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == "a=b"


def test_sleep_is_observable(probe: ProbeServer) -> None:
    record = json.loads(invoke(probe, b'{"sleep_ms": 150}')[2])
    assert record["finished_at"] - record["started_at"] >= 0.14


def test_bad_instruction_is_a_400(probe: ProbeServer) -> None:
    status, _, body = invoke(probe, b'{"status": "teapot"}')
    assert status == 400 and b"status" in body


def test_stop_frees_the_port() -> None:
    server = ProbeServer()
    port = server.start()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2)


def test_cli_accepts_sagemaker_serve_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}
    monkeypatch.setattr(
        "reference.probe.__main__.web.run_app", lambda app, **kw: seen.update(kw)
    )
    assert probe_main(["serve", "--port", "8080"]) == 0
    assert seen["port"] == 8080 and seen["host"] == "127.0.0.1"


def test_dockerfile_runs_probe_on_8080() -> None:
    dockerfile = (Path(__file__).parent.parent / "reference/probe/Dockerfile").read_text()
    assert '"reference.probe"' in dockerfile and '"8080"' in dockerfile
    assert 'CMD ["serve"]' in dockerfile
