"""Preparing a running moto_server as a target: the bucket and the endpoint.

moto accepts InvokeEndpointAsync for any endpoint name, but the suite reads the
endpoint's async config from the control plane, so the endpoint must exist there.
This creates it with the same deployment code as ``deploy-probe`` (moto runs no
model, so the image is a placeholder) and writes a target file for it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import conformance
from conformance.targetfile import Endpoints, load_target_file, write_target_file
from conformance_deploy.plan import make_plan
from conformance_deploy.probe import deploy_probe

NAME = "conformance-moto"
BUCKET = "conformance-moto"
PLACEHOLDER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/conformance-probe:latest"
PLACEHOLDER_ROLE = "arn:aws:iam::123456789012:role/conformance-probe"
# The expectations file ships with the suite (package data of ``conformance``).
EXPECTATIONS = Path(conformance.__file__).parent / "expectations" / "moto-5.2.toml"


def prepare_moto(
    url: str,
    target_path: Path,
    *,
    region: str = "us-east-1",
    expectations: bool = True,
    out: Callable[[str], None] = print,
) -> Path:
    """Create the bucket and endpoint in the moto_server at ``url``; write a target file."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    s3 = session.client(
        "s3", endpoint_url=url, config=Config(connect_timeout=5, retries={"max_attempts": 2})
    )
    try:
        s3.create_bucket(Bucket=BUCKET)
    except (ClientError, BotoCoreError) as exc:
        raise RuntimeError(f"cannot create bucket {BUCKET} in moto at {url}: {exc}") from exc
    endpoints = Endpoints(sagemaker_runtime=url, sagemaker=url, s3=url, sns=url, sqs=url)
    plan = make_plan(
        name=NAME, image=PLACEHOLDER_IMAGE, role_arn=PLACEHOLDER_ROLE, bucket=f"s3://{BUCKET}"
    )
    saved = {k: os.environ.get(k) for k in endpoints.as_env()}
    os.environ.update(endpoints.as_env())
    try:
        deploy_probe(plan, target_path=target_path, region=region, session=session, out=out)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    deployed = load_target_file(target_path)
    write_target_file(
        target_path,
        replace(
            deployed,
            name="moto 5.2.x (moto_server)",
            probe=False,
            aws=False,
            endpoints=endpoints,
            expectations=str(EXPECTATIONS) if expectations else None,
            notifications=None,
        ),
    )
    return target_path


@contextlib.contextmanager
def moto_server(*, host: str = "127.0.0.1", startup_deadline: float = 30.0) -> Iterator[str]:
    """Start ``moto_server`` on a free loopback port; its URL while the block runs."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if executable is None:
        raise RuntimeError("moto_server not found: install moto[server]")
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(
        [executable, "-H", host, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + startup_deadline
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > end:
                    raise RuntimeError(
                        f"moto_server did not listen on {port} within {startup_deadline} s"
                    ) from None
                time.sleep(0.1)
        yield f"http://{host}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
