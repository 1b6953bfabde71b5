"""The target file: the documented example reads, and write -> load round-trips."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.targetfile import (
    KNOWN_PROFILES,
    NOTIFICATION_TOPICS,
    AsyncConfig,
    Deployment,
    Endpoints,
    Notifications,
    TargetFile,
    dump_target_file,
    load_target_file,
    parse_target_file,
    write_target_file,
)
from spec.catalogue import DEFAULT_PROFILES

EXAMPLE = """\
name = "my-gateway"                  # shown in reports
endpoint_name = "conformance-probe"
input_s3 = "s3://bucket/prefix/"
revision = "2026"
profiles = ["core", "validation", "model", "failure", "output-path", "inline-body", "lifecycle", "notifications", "auth"]
probe = true
clock_scale = 1.0
region = "us-east-1"
expectations = "expectations.toml"
aws = true
[endpoints]
sagemaker_runtime = "http://127.0.0.1:4566"
sagemaker = "http://127.0.0.1:4566"
s3 = "http://127.0.0.1:4566"
sns = "http://127.0.0.1:4566"
sqs = "http://127.0.0.1:4566"
[async_config]
s3_output_path = "s3://bucket/out"
s3_failure_path = "s3://bucket/fail"
success_topic = "arn:aws:sns:us-east-1:123456789012:ok"
error_topic = "arn:aws:sns:us-east-1:123456789012:err"
include_inference_response_in = ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"]
max_concurrent_invocations_per_instance = 1
instance_count = 1
[notifications]
queue_url = "http://127.0.0.1:4566/123456789012/q"
[deployment]
tag_key = "conformance:deployment"
tag_value = "conformance-probe"
resources = ["arn:aws:sns:us-east-1:123456789012:ok"]
"""  # noqa: E501


def test_the_documented_example_reads(tmp_path):
    path = tmp_path / "target.toml"
    path.write_text(EXAMPLE)
    target = load_target_file(path)
    assert target.name == "my-gateway" and target.profiles == DEFAULT_PROFILES
    assert target.clock_scale == 1.0 and target.probe is True and target.aws is True
    assert target.endpoints == Endpoints(*(["http://127.0.0.1:4566"] * 5))
    assert target.async_config is not None and target.async_config.instance_count == 1
    assert target.deployment is not None and target.deployment.resources == (
        "arn:aws:sns:us-east-1:123456789012:ok",
    )
    assert target.expectations_path() == tmp_path / "expectations.toml"
    assert (
        target.endpoints.as_env()["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] == "http://127.0.0.1:4566"
    )
    write_target_file(tmp_path / "again.toml", target)
    assert load_target_file(tmp_path / "again.toml") == target


def test_an_empty_file_is_an_empty_target(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("")
    assert load_target_file(path) == TargetFile()
    assert dump_target_file(TargetFile()) == "\n"


def test_clock_scale_written_as_an_integer_reads_as_a_float(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("clock_scale = 1\n")
    value = load_target_file(path).clock_scale
    assert value == 1.0 and isinstance(value, float)


# -- property: anything the dataclass can hold survives write -> load

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_url = st.from_regex(r"\Ahttps?://127\.0\.0\.1:[1-9][0-9]{0,4}(/[a-z0-9]{0,8})?\Z")
_s3 = st.from_regex(r"\As3://[a-z0-9][a-z0-9\-]{1,20}[a-z0-9](/[a-zA-Z0-9 \"\\\\/._-]{0,20})?\Z")
_topic = st.from_regex(r"\Aarn:aws:sns:us-east-1:\d{12}:[A-Za-z0-9_-]{1,20}\Z")


def _optional(strategy):
    return st.none() | strategy


targets = st.builds(
    TargetFile,
    name=_optional(_text),
    endpoint_name=_optional(st.from_regex(r"\A[a-zA-Z0-9](-*[a-zA-Z0-9]){0,20}\Z")),
    input_s3=_optional(_s3),
    revision=_optional(_text),
    profiles=_optional(st.lists(st.sampled_from(KNOWN_PROFILES), unique=True).map(tuple)),
    probe=_optional(st.booleans()),
    clock_scale=_optional(
        st.floats(min_value=1e-9, max_value=1e9, allow_nan=False, allow_infinity=False)
    ),
    region=_optional(st.sampled_from(["us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1"])),
    expectations=_optional(_text),
    aws=_optional(st.booleans()),
    endpoints=_optional(st.builds(Endpoints, *[_optional(_url)] * 5)),
    async_config=_optional(
        st.builds(
            AsyncConfig,
            _optional(_s3),
            _optional(_s3),
            _optional(_topic),
            _optional(_topic),
            _optional(st.lists(st.sampled_from(NOTIFICATION_TOPICS), unique=True).map(tuple)),
            _optional(st.integers(1, 1000)),
            _optional(st.integers(1, 1000)),
        )
    ),
    notifications=_optional(st.builds(Notifications, _optional(_url))),
    deployment=_optional(
        st.builds(
            Deployment,
            tag_key=_text,
            tag_value=_text,
            resources=st.lists(_text, max_size=4).map(tuple),
            instance_type=_optional(st.sampled_from(["ml.m5.large", "ml.g5.xlarge"])),
        )
    ),
)


def _normalised(target: TargetFile) -> TargetFile:
    # A table whose every key is unset is not written, so it reads back as absent.
    import dataclasses

    changes = {}
    for table in ("endpoints", "async_config", "notifications"):
        section = getattr(target, table)
        if section is not None and all(v is None for v in dataclasses.astuple(section)):
            changes[table] = None
    return dataclasses.replace(target, **changes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=targets)
def test_write_then_load_round_trips(target):
    text = dump_target_file(target)
    document = tomllib.loads(text)  # the writer's output is TOML the stdlib accepts
    assert parse_target_file(document, Path("t.toml")) == _normalised(target)


@given(value=_text)
def test_strings_with_quotes_backslashes_and_controls_survive(value):
    text = dump_target_file(TargetFile(name=value, revision=value))
    assert tomllib.loads(text) == {"name": value, "revision": value}


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "t.toml"
    write_target_file(path, TargetFile(name="a"))
    write_target_file(path, TargetFile(name="b"))
    assert [p.name for p in tmp_path.iterdir()] == ["t.toml"]
    assert load_target_file(path).name == "b"


def test_source_is_not_part_of_equality(tmp_path):
    path = tmp_path / "t.toml"
    write_target_file(path, TargetFile(name="a"))
    loaded = load_target_file(path)
    assert loaded.source == path and loaded == TargetFile(name="a")


def test_known_profiles_agree_with_the_catalogue():
    catalogue = pytest.importorskip("spec.catalogue", reason="spec.catalogue not built yet")
    assert tuple(catalogue.PROFILES) == KNOWN_PROFILES
