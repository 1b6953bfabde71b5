"""deploy-probe, then the suite against what it created, then teardown: the real-AWS
path end to end, against the embedded stack's moto control plane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance_cli.main import main
from reference.stack import PROBE_IMAGE, ROLE_ARN, EmbeddedStack, StackSettings

JUDGED = ("test_wire", "test_output", "test_notifications", "test_ttl", "test_concurrency")


@pytest.fixture(scope="module")
def stack() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=0.05) as settings:
        yield settings


@pytest.fixture
def aws_env(
    stack: StackSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    empty = tmp_path / "no-aws-config"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    env.update(stack.env)
    for name in ("CONFORMANCE_ENDPOINT_NAME", "CONFORMANCE_INPUT_S3"):
        env.pop(name)
    env.update(
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
    )
    for key in [k for k in os.environ if k.startswith(("AWS_", "CONFORMANCE_"))]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    return env


def test_the_suite_runs_against_what_deploy_probe_created(
    stack: StackSettings, aws_env: dict[str, str], tmp_path: Path
) -> None:
    bucket = stack.input_s3.split("/")[2]
    target = tmp_path / "deployed.toml"
    assert main([
        "deploy-probe", "--image", PROBE_IMAGE, "--role", ROLE_ARN,
        "--bucket", f"s3://{bucket}/deployed", "--name", "suite-probe",
        "--max-concurrency", "2", "--target-file", str(target),
    ]) == 0  # fmt: skip
    try:
        report = tmp_path / "report"
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--target", str(target),
             "--report-dir", str(report), "--clock-scale", str(stack.clock_scale),
             "--depth", "quick", "-p", "no:randomly", "-k", " or ".join(JUDGED)],
            cwd=tmp_path, env=aws_env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        output = done.stdout + done.stderr
        document = json.loads((report / "results.json").read_text(encoding="utf-8"))
        statuses = {b["id"]: b["status"] for b in document["behaviours"]}
        judged = {b: s for b, s in statuses.items() if s not in {"skip", "untested"}}
        assert judged and all(s == "pass" for s in judged.values()), (judged, output[-3000:])
        for behaviour in ("IEA-TTL-001", "IEA-CONC-001", "IEA-NOTIF-001", "IEA-OUT-002"):
            assert statuses[behaviour] == "pass", behaviour
        assert document["run"]["target"]["endpoint_name"] == "suite-probe"
        # A real-AWS target file: the run prints what it would have cost.
        assert "cost" in output.lower(), output[-2000:]
    finally:
        assert main(["teardown", "--target", str(target)]) == 0
