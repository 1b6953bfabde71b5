"""make_plan and S3Location: the command line is checked before any AWS call."""

from __future__ import annotations

import pytest

from conformance_deploy import DeployError, make_plan
from conformance_deploy.plan import S3Location
from conformance_deploy.resources import parse_arn

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/conformance-probe:1"
ROLE = "arn:aws:iam::123456789012:role/probe"


def _plan(**overrides: object):
    values: dict[str, object] = dict(name="probe", image=IMAGE, role_arn=ROLE, bucket="s3://b-1/p")
    values.update(overrides)
    return make_plan(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("uri", "bucket", "prefix"),
    [
        ("s3://my-bucket", "my-bucket", ""),
        ("s3://my-bucket/", "my-bucket", ""),
        ("s3://my-bucket/a/b/", "my-bucket", "a/b"),
        ("s3://my.bucket.1/x", "my.bucket.1", "x"),
    ],
)
def test_bucket_uris_parse(uri, bucket, prefix):
    assert S3Location.parse(uri) == S3Location(bucket, prefix)


@pytest.mark.parametrize(
    "uri",
    ["my-bucket", "https://my-bucket/x", "s3://", "s3://AB/x", "s3://a/x", "s3://b..c/x",
     "s3://my-bucket/a//b", "s3://192.168.1.1/x"],
)  # fmt: skip
def test_bad_bucket_uris_say_what_is_expected(uri):
    with pytest.raises(DeployError, match="--bucket") as caught:
        S3Location.parse(uri)
    assert caught.value.exit_code == 2


def test_paths_derive_from_the_bucket_prefix_and_name():
    plan = _plan(bucket="s3://b-1/runs/")
    assert plan.output_path == "s3://b-1/runs/probe/output"
    assert plan.failure_path == "s3://b-1/runs/probe/failure"
    assert plan.input_s3 == "s3://b-1/runs/probe/input/"
    assert _plan(bucket="s3://b-1").output_path == "s3://b-1/probe/output"
    assert (plan.success_topic, plan.error_topic, plan.queue) == (
        "probe-success",
        "probe-error",
        "probe-notifications",
    )


def test_one_instance_and_both_topics_carry_the_response():
    plan = _plan(max_concurrency=7)
    [variant] = plan.production_variants()
    assert variant["InitialInstanceCount"] == 1
    config = plan.async_inference_config("arn:s", "arn:e")
    assert config["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 7}
    assert config["OutputConfig"]["NotificationConfig"] == {
        "SuccessTopic": "arn:s",
        "ErrorTopic": "arn:e",
        "IncludeInferenceResponseIn": ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
    }


@pytest.mark.parametrize(
    ("field", "value", "flag"),
    [
        ("name", "Probe", "--name"),
        ("name", "a" * 41, "--name"),
        ("name", "-x", "--name"),
        ("image", "http://example.com/x", "--image"),
        ("role_arn", "probe-role", "--role"),
        ("instance_type", "m5.large", "--instance-type"),
        ("max_concurrency", 0, "--max-concurrency"),
        ("max_concurrency", 1001, "--max-concurrency"),
    ],
)
def test_bad_arguments_name_the_flag(field, value, flag):
    with pytest.raises(DeployError, match=flag):
        _plan(**{field: value})


@pytest.mark.parametrize(
    ("arn", "kind", "name"),
    [
        ("arn:aws:sns:us-east-1:123456789012:p-success", "topic", "p-success"),
        ("arn:aws:sns:us-east-1:123456789012:p-error:1b2c", "subscription", "p-error:1b2c"),
        ("arn:aws:sqs:us-east-1:123456789012:p-notifications", "queue", "p-notifications"),
        ("arn:aws:sagemaker:us-east-1:123456789012:model/p", "model", "p"),
        ("arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/p", "endpoint-config", "p"),
        ("arn:aws-cn:sagemaker:cn-north-1:123456789012:endpoint/p", "endpoint", "p"),
    ],
)
def test_arns_of_the_kinds_deploy_creates(arn, kind, name):
    ref = parse_arn(arn)
    assert ref is not None and (ref.kind, ref.name) == (kind, name)


@pytest.mark.parametrize(
    "arn",
    ["arn:aws:iam::123456789012:role/x", "arn:aws:sagemaker:us-east-1:1:training-job/x", "nope"],
)
def test_other_arns_are_not_deletable_kinds(arn):
    assert parse_arn(arn) is None
