"""Processes: `conformance serve` and a standalone service, stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import urlsplit

import boto3
import pytest

from reference.stack import EmbeddedStack, StackSettings
from reference.testing import clients, get_object, wait_for_outcome


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            out.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return out


def read_until(lines: queue.Queue[str], predicate, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if predicate(line):
            return seen
    raise TimeoutError(f"no expected line within {timeout} s; got {seen}")


def port_is_free(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parts.hostname, parts.port)) != 0


def test_conformance_serve_prints_settings_serves_and_stops_clean() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", "--clock-scale", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        lines = read_until(lines_of(process.stdout), lambda line: line == "ready", 60)
        env = dict(line.removeprefix("export ").split("=", 1) for line in lines[:-1])
        assert sorted(env) == sorted([
            "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL_SAGEMAKER",
            "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL_SQS",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
            "CONFORMANCE_ENDPOINT_NAME", "CONFORMANCE_INPUT_S3",
        ])
        # Plain boto3, configured only by the printed environment.
        child_env = {**os.environ, **env}
        script = (
            "import boto3,json; r=boto3.client('sagemaker-runtime').invoke_endpoint_async("
            "EndpointName=__import__('os').environ['CONFORMANCE_ENDPOINT_NAME'], Body=b'{}');"
            "print(json.dumps({k: r[k] for k in ('InferenceId','OutputLocation')}))"
        )
        result = subprocess.run([sys.executable, "-c", script], env=child_env,
                                capture_output=True, text=True, timeout=60, check=True)
        response = json.loads(result.stdout)
        s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"],
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                          region_name=env["AWS_DEFAULT_REGION"])
        kind, _, _ = wait_for_outcome(s3, response, timeout=20)
        assert kind == "output"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        for name in ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL_S3"):
            assert port_is_free(env[name]), name
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def backends() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=0.02) as settings:
        yield settings


def test_sigterm_loses_nothing(backends: StackSettings) -> None:
    """Every request accepted before SIGTERM ends with exactly one outcome."""
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL_SAGEMAKER": backends.moto_url,
        "AWS_ENDPOINT_URL_S3": backends.moto_url,
        "AWS_ENDPOINT_URL_SNS": backends.moto_url,
        "AWS_ACCESS_KEY_ID": backends.access_key,
        "AWS_SECRET_ACCESS_KEY": backends.secret_key,
        "AWS_DEFAULT_REGION": backends.region,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "reference.service", "--port", "0", "--clock-scale", "0.02",
         "--container", f"*={backends.probe_url}", "--shutdown-grace", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    try:
        lines = read_until(lines_of(process.stdout), lambda line: line.startswith("listening"), 60)
        url = lines[-1].split()[-1]
        aws = clients(backends)
        runtime = boto3.session.Session(
            aws_access_key_id=backends.access_key, aws_secret_access_key=backends.secret_key,
            region_name=backends.region,
        ).client("sagemaker-runtime", endpoint_url=url)
        accepted: list[dict[str, Any]] = []
        # Fast ones, two that outlive the grace period, and some queued behind them.
        for instructions in [{}] * 3 + [{"sleep_ms": 4000}] * 2 + [{}] * 4:
            accepted.append(runtime.invoke_endpoint_async(
                EndpointName=backends.endpoint_name, Body=json.dumps(instructions).encode()))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        kinds = []
        for response in accepted:
            kind, body, _ = wait_for_outcome(aws["s3"], response, timeout=10)
            other = "FailureLocation" if kind == "output" else "OutputLocation"
            assert get_object(aws["s3"], response[other]) is None
            if kind == "failure":
                assert b"ServiceShutdown" in body
            kinds.append(kind)
        assert "failure" in kinds  # the long ones were cut off, and reported
        assert port_is_free(url)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
