"""The clients profile: the real clients pass against the reference, and a target
that breaks what a client relies on fails that client's check.

What runs depends on what is installed: AWS CLI v1 and boto3 come with the dev extra
(CI); the SageMaker SDK 2.x and sagemaker-core with the `clients` extra (tox -e
clients), otherwise their checks must be skipped with the reason that says how to
install them. The runner's deadline and output bound are tested on their own.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutants import outputs, wire
from mutants.runner import SharedStack, SuiteRun, check, run_all

from conformance import clients
from conformance.clients import ClientRunner, client_environment
from reference.parts import DEFAULT_PARTS

CLIENTS = check("test_clients")
# Short: a broken target's missing object is only proven at the outcome deadline.
OPTIONS = ("--profiles", "clients", "--outcome-deadline", "4", "-p", "no:randomly")
INSTALLED = {
    "IEA-CLI": clients.AWS_CLI_V1.missing() is None,
    "IEA-SDK": clients.SAGEMAKER_SDK_V2.missing() is None,
    "IEA-SMCORE": clients.sagemaker_core_missing() is None,
    "IEA-WAITER": True,
}


def _installed(behaviour: str) -> bool:
    return INSTALLED[behaviour.rsplit("-", 1)[0]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SuiteRun]]:
    workdir: Path = tmp_path_factory.mktemp("clients")
    stack = SharedStack().start()
    broken = {
        "reference": DEFAULT_PARTS,
        # Accepts a TTL of 5: the CLI has nothing to print.
        "accepts-everything": dataclasses.replace(
            DEFAULT_PARTS, validator=wire.AcceptsEverything()
        ),
        # A model error lands nowhere: the waiter and the SDK wait in vain.
        "no-failure-object": dataclasses.replace(
            DEFAULT_PARTS, outcome_writer=outputs.NoFailureObject()
        ),
    }
    selections = {
        "reference": CLIENTS,
        "accepts-everything": check("test_clients", "test_aws_cli_prints_the_validation_error"),
        "no-failure-object": check("test_clients", "test_boto3_waiters"),
    }
    try:
        yield run_all(
            {
                name: (
                    lambda name=name, parts=parts: stack.run(
                        name, parts, selections[name], workdir=workdir, options=OPTIONS
                    )
                )
                for name, parts in broken.items()
            }
        )
    finally:
        stack.stop()


def test_every_installed_client_passes_against_the_reference(runs: dict[str, SuiteRun]) -> None:
    run = runs["reference"]
    clients_behaviours = [b for b in run.statuses() if b.startswith(tuple(INSTALLED))]
    assert len(clients_behaviours) == 12, run.describe()
    for behaviour in clients_behaviours:
        expected = "pass" if _installed(behaviour) else "skip"
        assert run.status(behaviour) == expected, f"{behaviour}\n{run.describe()}"
    assert run.returncode == 0 or not all(INSTALLED.values()), run.describe()


def test_a_missing_client_is_skipped_with_how_to_install_it(runs: dict[str, SuiteRun]) -> None:
    run = runs["reference"]
    missing = [b for b in run.statuses() if b.startswith(tuple(INSTALLED)) and not _installed(b)]
    if not missing:
        pytest.skip("every client is installed here (tox -e clients)")
    for behaviour in missing:
        reasons = " ".join(
            t.get("reason", "")
            for b in run.document["behaviours"]
            if b["id"] == behaviour
            for t in b["tests"]
        )
        assert "is not installed: pip install" in reasons, run.describe()


def test_the_cli_check_fails_a_target_that_accepts_a_ttl_of_5(runs: dict[str, SuiteRun]) -> None:
    run = runs["accepts-everything"]
    if not INSTALLED["IEA-CLI"]:
        pytest.skip("AWS CLI v1 is not installed")
    assert run.status("IEA-CLI-002") == "fail", run.describe()
    message = " ".join(run.messages("IEA-CLI-002"))
    assert "exited 0" in message and "client-run" in message, message


def test_the_waiter_check_fails_a_target_that_writes_no_failure(
    runs: dict[str, SuiteRun],
) -> None:
    run = runs["no-failure-object"]
    assert run.status("IEA-WAITER-002") == "fail", run.describe()
    assert run.status("IEA-WAITER-001") == "pass", run.describe()
    evidence = [
        o
        for b in run.document["behaviours"]
        if b["id"] == "IEA-WAITER-002"
        for t in b["tests"]
        for o in (t.get("evidence") or {}).get("observations", [])
        if o.get("kind") == "client-run"
    ]
    assert evidence and "get_waiter" in evidence[0]["code"], run.describe()
    assert "Max attempts exceeded" in evidence[0]["stdout"], evidence[0]["stdout"][-500:]


# -- the runner on its own ------------------------------------------------------------


def _runner(tmp_path: Path, endpoints: dict[str, str]) -> ClientRunner:
    env = client_environment(
        endpoints=endpoints, region="us-east-1", access_key="AKIDEXAMPLE",
        secret_key="secret", session_token=None, home=tmp_path / "home",
    )  # fmt: skip
    return ClientRunner(env, tmp_path)


def test_a_client_that_hangs_is_killed_at_its_deadline(tmp_path: Path) -> None:
    runner = _runner(tmp_path, {"s3": "http://127.0.0.1:1"})
    run = runner.python("hang", "import time\ntime.sleep(60)\n", params={}, deadline=1.0)
    assert run.timed_out and run.elapsed < 10
    assert "killed after its 1 s deadline" in run.summary()
    assert run.to_evidence()["code"].startswith("import time")


def test_what_a_client_prints_is_read_up_to_a_bound(tmp_path: Path) -> None:
    runner = _runner(tmp_path, {"s3": "http://127.0.0.1:1"})
    run = runner.python(
        "chatty", "import sys\nsys.stdout.write('x' * 200_000)\n", params={}, deadline=20.0
    )
    assert run.ok and len(run.stdout) < clients.OUTPUT_LIMIT + 100
    assert run.stdout.endswith("[… output cut at 64 KiB]")


def test_a_loopback_target_keeps_every_client_on_loopback(tmp_path: Path) -> None:
    loopback = _runner(tmp_path / "a", {"s3": "http://127.0.0.1:5000"}).env
    assert loopback["HTTPS_PROXY"] == clients.DEAD_PROXY and "127.0.0.1" in loopback["NO_PROXY"]
    assert loopback["AWS_EC2_METADATA_DISABLED"] == "true"
    assert loopback["HOME"] != str(Path.home())
    remote = _runner(tmp_path / "b", {"s3": "https://s3.example.com"}).env
    assert "HTTPS_PROXY" not in remote
    # A client that ignores the configured endpoint reaches only the dead loopback proxy.
    runner = _runner(tmp_path / "c", {"s3": "http://127.0.0.1:5000"})
    code = (
        "import boto3, botocore.config\n"
        "c = boto3.client('sts', endpoint_url='https://sts.us-east-1.amazonaws.com',\n"
        "    config=botocore.config.Config(retries={'max_attempts': 1}, connect_timeout=2))\n"
        "try:\n    c.get_caller_identity()\nexcept Exception as e:\n    print(type(e).__name__)\n"
    )
    run = runner.python("sts", code, params={}, deadline=30.0)
    assert "ProxyConnectionError" in run.stdout, run.stdout + run.stderr
    assert sys.executable in run.command[0] or run.command[0] == "python"
