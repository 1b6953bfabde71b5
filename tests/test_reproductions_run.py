"""Every reproduction in a report runs as printed, against the target it came from.

The suite's client sends a request to a loopback HTTP server that records what
reaches it; the boto3 snippet and the curl line of that exchange's evidence then
run as a user would run them (python and bash subprocesses, credentials from the
environment), and the server must see the same request again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.credentials import Credentials

from conformance.client import Invoker, Signing
from conformance.reproduce import reproduce_command

SEEN = ("content-type", "x-amzn-sagemaker-custom-attributes", "x-amzn-sagemaker-inference-id",
        "x-amzn-sagemaker-inputlocation", "x-amzn-sagemaker-requestttlseconds")  # fmt: skip
ACCESS_KEY, SECRET_KEY = "AKIDREPRODUCTION", "reproduction-secret-key-0123456789abcdef"


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1 << 20))
        headers = {k.lower(): v for k, v in self.headers.items()}
        Recorder.seen.append({
            "path": self.path, "body": body, "signed": "authorization" in headers,
            **{name: headers.get(name) for name in SEEN},
        })  # fmt: skip
        answer = json.dumps({"InferenceId": "i-1", "OutputLocation": "s3://b/o"}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip


def _replayed(command: list[str], tmp_path: Path) -> dict[str, Any]:
    before = len(Recorder.seen)
    done = subprocess.run(command, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Recorder.seen) == before + 1, "the reproduction sent nothing"
    return Recorder.seen[-1]


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_boto3_and_curl_reproductions_resend_the_same_request(server, tmp_path, signed):
    invoker = Invoker(endpoint_url=server, region="eu-west-3",
                      credentials=Credentials(ACCESS_KEY, SECRET_KEY))  # fmt: skip
    params = {"EndpointName": "my-endpoint", "InputLocation": "s3://bucket/in.json",
              "ContentType": "application/json", "CustomAttributes": "a=1; b='two'",
              "InferenceId": "repro-1", "RequestTTLSeconds": 120}  # fmt: skip
    exchange = invoker.invoke(params, signing=Signing(sign=signed))
    original = Recorder.seen[-1]
    reproduction = exchange.to_evidence()["reproduction"]
    assert "REGION" not in reproduction["curl"] and "$AK" not in reproduction["curl"]
    assert f"endpoint_url={server!r}" in reproduction["boto3"]
    if signed:
        assert "aws:amz:eu-west-3:sagemaker" in reproduction["curl"]
    curl = shutil.which("curl")
    replays = [[sys.executable, "-c", reproduction["boto3"]]]
    if signed or curl:
        replays.append(["bash", "-c", reproduction["curl"]])
    for command in replays:
        if command[0] == "bash" and not curl:
            continue
        again = _replayed(command, tmp_path)
        expected = dict(original)
        if command[0] == sys.executable:
            expected["signed"] = True  # boto3 always signs: the same request, signed
        assert again == expected, command
    invoker.close()


def test_a_raw_request_gets_curl_only(server, tmp_path):
    """A fuzz case is raw HTTP (no boto3 call makes it): curl replays its bytes."""
    invoker = Invoker(endpoint_url=server, region="us-east-1",
                      credentials=Credentials(ACCESS_KEY, SECRET_KEY))  # fmt: skip
    odd = {"X-Amzn-SageMaker-Custom-Attributes": "ü \\x7f"}
    request = invoker.serialize({"EndpointName": "e", "InputLocation": "s3://b/k"},
                                extra_headers=odd)  # fmt: skip
    request.data = b"\x89PNG\r\n\x1a\n\x00\x00 %s \\ ' end"  # binary, with NUL, % and quotes
    exchange = invoker.send(request, signing=Signing(), params={})
    original = Recorder.seen[-1]
    reproduction = exchange.to_evidence()["reproduction"]
    assert set(reproduction) == {"curl"}
    if shutil.which("curl"):
        assert _replayed(["bash", "-c", reproduction["curl"]], tmp_path) == original
    invoker.close()


def test_the_run_command_carries_seed_depth_and_selection():
    typed = "conformance run --target t.toml -k IEA-HDR-001"
    command = reproduce_command(typed=typed, argv=[], seed="42", depth="quick")
    assert command == f"{typed} --hypothesis-seed=42 --depth=quick"
    given = reproduce_command(typed=None, seed="1", depth="standard", argv=[
        "/venv/lib/python3.11/site-packages/pytest/__main__.py", "--pyargs",
        "conformance.checks", "--depth", "quick", "--hypothesis-seed=7"])  # fmt: skip
    assert given == "python -m pytest --pyargs conformance.checks --depth quick --hypothesis-seed=7"
