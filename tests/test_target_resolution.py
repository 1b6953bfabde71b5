"""Which target a run judges: options win over the target file, the file over the
environment; bad values are configuration errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.target import ConfigurationError, resolve_target, wants_embedded
from spec.catalogue import DEFAULT_PROFILES

ENV = {
    "CONFORMANCE_ENDPOINT_NAME": "from-env",
    "CONFORMANCE_INPUT_S3": "s3://env-bucket/env-prefix",
    "CONFORMANCE_CLOCK_SCALE": "0.5",
    "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": "http://127.0.0.1:1111",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2222",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


@pytest.fixture
def target_file(tmp_path: Path) -> Path:
    path = tmp_path / "target.toml"
    path.write_text(
        'name = "file target"\nendpoint_name = "from-file"\nclock_scale = 0.25\n'
        'profiles = ["core", "auth"]\nrevision = "2023-04"\n'
        '[endpoints]\nsagemaker_runtime = "http://127.0.0.1:3333"\n'
    )
    return path


def test_the_environment_alone_names_a_target() -> None:
    target = resolve_target({}, ENV)
    assert target.endpoint_name == "from-env"
    assert (target.input_bucket, target.input_prefix) == ("env-bucket", "env-prefix")
    assert target.clock_scale == 0.5
    assert target.region == "eu-west-1"
    assert target.endpoint_url("sagemaker_runtime") == "http://127.0.0.1:1111"
    assert target.profiles == DEFAULT_PROFILES


def test_the_file_wins_over_the_environment(target_file: Path) -> None:
    target = resolve_target({"target": str(target_file)}, ENV)
    assert target.endpoint_name == "from-file"
    assert target.clock_scale == 0.25
    assert target.profiles == ("core", "auth")
    assert target.revision == "2023-04"
    assert target.endpoint_url("sagemaker_runtime") == "http://127.0.0.1:3333"
    # What the file leaves out still comes from the environment.
    assert target.endpoint_url("s3") == "http://127.0.0.1:2222"
    assert target.input_s3 == "s3://env-bucket/env-prefix"


def test_options_win_over_the_file(target_file: Path) -> None:
    options = {
        "target": str(target_file),
        "endpoint_name": "from-option",
        "clock_scale": 0.05,
        "profiles": "validation",
        "probe": False,
        "revision": "latest",
    }
    target = resolve_target(options, ENV)
    assert target.endpoint_name == "from-option"
    assert target.clock_scale == 0.05
    assert target.profiles == ("validation",)
    assert target.probe is False
    assert target.revision == "2026"


def test_no_target_named_means_the_embedded_reference() -> None:
    assert wants_embedded({}, {})
    assert wants_embedded({"target": "reference"}, ENV)
    assert not wants_embedded({}, ENV)
    assert not wants_embedded({"endpoint_name": "x"}, {})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"clock_scale": 2}, "clock_scale=2 must be in (0, 1]"),
        ({"profiles": "core,nonsense"}, "profiles=nonsense unknown"),
        ({"input_s3": "bucket/prefix"}, "is not an s3://bucket/prefix URI"),
        ({"target": "no-such-file.toml"}, "does not exist (shipped targets:"),
        ({"outcome_deadline": -1}, "outcome_deadline=-1 must be more than 0 seconds"),
    ],
)
def test_bad_values_say_what_to_fix(options: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=None) as raised:
        resolve_target(options, ENV)
    assert message in str(raised.value)


def test_without_an_endpoint_name_the_message_names_every_way_to_give_one() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_target({}, {"CONFORMANCE_INPUT_S3": "s3://b/p"})
    assert "--endpoint-name" in str(raised.value)
    assert "CONFORMANCE_ENDPOINT_NAME" in str(raised.value)
