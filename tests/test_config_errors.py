"""Bad configuration ends as a clear message and exit code 2, never a traceback:
a wrong URL, missing credentials, a missing endpoint, a bucket the suite cannot
write, a broken target file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference.stack import EmbeddedStack, StackSettings


@pytest.fixture(scope="module")
def stack() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=0.05) as settings:
        yield settings


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    empty = tmp_path / "no-aws-config"
    env.update(
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--report-dir", str(tmp_path / "r"),
         "--depth", "quick", "-p", "no:randomly", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assert_clean(code: int, output: str, *phrases: str) -> None:
    assert code == 2, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    for phrase in phrases:
        assert phrase in output, (phrase, output[-3000:])


def test_an_unreachable_runtime_url(stack: StackSettings, tmp_path: Path) -> None:
    env = {**_clean_env(tmp_path), **stack.env}
    env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = f"http://127.0.0.1:{_closed_port()}"
    code, output = _run(tmp_path, env, "-k", "test_wire")
    _assert_clean(code, output, "cannot reach the SageMaker Runtime endpoint", "Check the URL")


def test_missing_credentials(stack: StackSettings, tmp_path: Path) -> None:
    env = {**_clean_env(tmp_path), **stack.env}
    env.pop("AWS_ACCESS_KEY_ID")
    env.pop("AWS_SECRET_ACCESS_KEY")
    code, output = _run(tmp_path, env, "-k", "test_wire")
    _assert_clean(code, output, "no AWS credentials found")


def test_an_endpoint_the_control_plane_does_not_know(stack: StackSettings, tmp_path: Path) -> None:
    env = {**_clean_env(tmp_path), **stack.env, "CONFORMANCE_ENDPOINT_NAME": "no-such-endpoint"}
    code, output = _run(tmp_path, env, "-k", "test_wire")
    _assert_clean(code, output, "cannot describe endpoint 'no-such-endpoint'")


def test_a_bucket_the_suite_cannot_write(stack: StackSettings, tmp_path: Path) -> None:
    env = {**_clean_env(tmp_path), **stack.env, "CONFORMANCE_INPUT_S3": "s3://no-such-bucket-x1/p"}
    code, output = _run(tmp_path, env, "-k", "test_wire")
    _assert_clean(code, output, "cannot write to s3://no-such-bucket-x1/")


def test_a_broken_target_file(tmp_path: Path) -> None:
    target = tmp_path / "broken.toml"
    target.write_text('endpoint_name = "x"\nunknown_key = 1\n')
    code, output = _run(tmp_path, _clean_env(tmp_path), "--target", str(target))
    _assert_clean(code, output, "unknown_key")


def test_an_unknown_revision(tmp_path: Path) -> None:
    code, output = _run(tmp_path, _clean_env(tmp_path), "--revision", "1999-01")
    _assert_clean(code, output, "revision='1999-01' is unknown")
