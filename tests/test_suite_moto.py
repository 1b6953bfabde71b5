"""The suite against a live moto_server the project starts: it fails where moto
breaks the contract, and with the shipped expectations the run is green."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mutants.runner import WHOLE_SUITE, check, run_suite

from conformance_deploy.moto import moto_server, prepare_moto

WIRE_202 = "test_every_valid_request_gets_202_with_inference_id_and_output_location"
VALIDATION = "test_an_invalid_request_is_rejected_with_validation_error"
# What issue 4 names as moto's breaks; each must be among the failures.
MOTO_BREAKS = {
    "IEA-WIRE-001": "status 202",
    "IEA-VAL-017": "TTL out of range accepted",
    "IEA-OUT-001": "output not under the configured S3OutputPath",
    "IEA-OUT-002": "same OutputLocation for two requests",
    "IEA-NOTIF-001": "no notification",
}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def moto_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CONFORMANCE_OUTCOME_DEADLINE": "5",
    }


@pytest.fixture(scope="module")
def targets(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("moto")
    bare = prepare_moto(moto_url, folder / "bare.toml", expectations=False, out=lambda _: None)
    expected = prepare_moto(moto_url, folder / "expected.toml", out=lambda _: None)
    return {"bare": bare, "expected": expected}


def test_moto_fails_where_it_breaks_the_contract(
    targets: dict[str, Path], moto_env: dict[str, str], tmp_path: Path
) -> None:
    run = run_suite(
        "moto-bare",
        moto_env,
        (
            *check("test_wire", WIRE_202),
            *check("test_validation", f"{VALIDATION}[IEA-VAL-017]"),
            *check("test_output", "test_each_request_gets_its_own_output_under_the_output_path"),
            *check("test_notifications", "test_a_success_publishes_one_complete_message"),
        ),
        workdir=tmp_path,
        extra=("--target", str(targets["bare"])),
    )  # fmt: skip
    assert run.returncode == 1, run.describe()
    failing = set(run.with_status("fail"))
    missing = {b: why for b, why in MOTO_BREAKS.items() if b not in failing}
    assert not missing, f"moto's known breaks not caught: {missing}\n{run.describe()}"


def test_with_the_shipped_expectations_the_moto_run_is_green(
    targets: dict[str, Path], moto_env: dict[str, str], tmp_path: Path
) -> None:
    run = run_suite(
        "moto-expected", moto_env, WHOLE_SUITE, workdir=tmp_path,
        extra=("--target", str(targets["expected"])),
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    statuses = run.statuses()
    assert not run.with_status("fail", "error"), run.describe()
    for behaviour in MOTO_BREAKS:
        assert statuses[behaviour] == "xfail", (behaviour, statuses[behaviour])
    # Without the probe the run is no conformance claim.
    assert run.document["conformant"] is False
