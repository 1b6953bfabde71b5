"""The example app's tests (examples/async_app) pass through the plugin's
`sagemaker_async_stack` fixture, run as an app developer would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "async_app"


def test_the_example_app_tests_pass_against_the_fixture() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "3 passed" in output, output[-2000:]
