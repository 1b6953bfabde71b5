"""The container image: built from the root Dockerfile and run with the README's line.

Only where a Docker engine answers (``docker info``; ``DOCKER_HOST`` is honoured);
elsewhere the test is skipped and says why, and test_first_hour.py lints the
Dockerfile with hadolint. The image is run, as the README says, with the target file
and the AWS settings passed in, against ``conformance serve`` on this machine's
loopback (``--network host``), for one behaviour at quick depth.

``CONFORMANCE_DOCKER_BASE_IMAGE`` replaces the Dockerfile's base image (its
``BASE_IMAGE`` build argument), for a machine whose engine cannot pull from a
registry: any local image with Python 3.11+ and pip as ``python``.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = str(Path(sys.executable).parent / "conformance")
IMAGE = "sagemaker-async-conformance:test"
BASE_IMAGE_ENV = "CONFORMANCE_DOCKER_BASE_IMAGE"


def _engine_answers() -> str | None:
    """None when a Docker engine answers, else why not."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=20)  # fmt: skip
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer in 20 s"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[0]
        return f"no Docker engine answers (`docker info`: {reason})"
    return None


NO_ENGINE = _engine_answers()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NO_ENGINE is not None, reason=f"{NO_ENGINE}; the Dockerfile is linted by hadolint instead"
    ),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`conformance serve` on loopback: the settings it printed, until the test ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen([CONFORMANCE, "serve"], cwd=tmp_path, env=env, bufsize=0,
                               stdout=subprocess.PIPE, stderr=log)  # fmt: skip
    settings: dict[str, str] = {}
    printed = b""
    deadline = time.monotonic() + 120
    try:
        assert process.stdout is not None
        while b"\nready\n" not in b"\n" + printed and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:  # serve exited
                    break
                printed += chunk
        for found in re.finditer(r"(?m)^export (\w+)=(\S+)$", printed.decode()):
            settings[found.group(1)] = found.group(2)
        serve_log = (tmp_path / "serve.log").read_text(encoding="utf-8")[-2000:]
        assert "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME" in settings, (settings, serve_log)
        yield settings
    finally:
        log.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_the_image_builds_and_runs_the_readme_line_against_a_loopback_target(served, tmp_path):
    build = ["docker", "build", "--network", "host", "-t", IMAGE]
    if os.environ.get(BASE_IMAGE_ENV):
        build += ["--build-arg", f"BASE_IMAGE={os.environ[BASE_IMAGE_ENV]}"]
    built = subprocess.run([*build, str(ROOT)], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]

    work = tmp_path / "work"
    work.mkdir()
    urls = {
        name: served[f"AWS_ENDPOINT_URL_{name.upper()}"]
        for name in ("sagemaker_runtime", "sagemaker", "s3", "sns", "sqs")
    }
    (work / "my-target.toml").write_text(
        'name = "conformance serve on loopback"\n'
        f'endpoint_name = "{served["CONFORMANCE_ENDPOINT_NAME"]}"\n'
        f'input_s3 = "{served["CONFORMANCE_INPUT_S3"]}"\n'
        'region = "us-east-1"\n'
        "clock_scale = 0.05\n"
        "[endpoints]\n" + "".join(f'{name} = "{url}"\n' for name, url in urls.items()),
        encoding="utf-8",
    )
    # The README's line, word for word, plus a selection to keep it short.
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": served["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": served["AWS_SECRET_ACCESS_KEY"],
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": "us-east-1",
    }
    run = subprocess.run(
        ["docker", "run", "--rm", "--network", "host", "--user", str(os.getuid()),
         "-v", f"{work}:/work",
         "-e", "AWS_ACCESS_KEY_ID", "-e", "AWS_SECRET_ACCESS_KEY", "-e", "AWS_SESSION_TOKEN",
         "-e", "AWS_REGION",
         IMAGE, "run", "--target", "/work/my-target.toml", "--report-dir",
         "/work/conformance-report", "--behaviour", "IEA-HDR-001", "--depth", "quick"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = run.stdout + run.stderr
    # One behaviour judged is not a conformance claim (1), and never a usage error (2).
    assert run.returncode in (0, 1), output[-4000:]
    assert "conformance: NOT CONFORMANT — conformance serve on loopback" in output
    document = json.loads((work / "conformance-report" / "results.json").read_text("utf-8"))
    judged = {b["id"]: b["status"] for b in document["behaviours"] if b["tests"]}
    assert judged == {"IEA-HDR-001": "pass"}
    for artefact in ("report.html", "junit.xml", "summary.md", "badge.json"):
        assert (work / "conformance-report" / artefact).is_file(), artefact
