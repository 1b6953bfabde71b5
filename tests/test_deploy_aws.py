"""deploy-probe and teardown end to end against moto's control plane on loopback.

One moto server for the module; each test uses its own deployment name so the
tests do not see each other's resources. (A run of the suite against what
deploy-probe created is the lead's test, once the suite exists.)
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto.server import ThreadedMotoServer

from conformance.targetfile import load_target_file, write_target_file
from conformance_cli.main import main
from conformance_deploy import DeployError, deploy_probe, make_plan, teardown
from conformance_deploy.iam import DEPLOY_CALLS, TEARDOWN_CALLS

REGION = "us-east-1"
BUCKET = "conformance-deploy-tests"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/conformance-probe:1"
ROLE = "arn:aws:iam::123456789012:role/probe-execution"
TAG = "conformance:deployment"
SERVICES = ("SAGEMAKER", "SAGEMAKER_RUNTIME", "S3", "SNS", "SQS")
_names = itertools.count()
_REAL_SESSION = boto3.Session  # the access-denied test patches boto3.Session


@pytest.fixture(scope="module")
def moto_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # moto's werkzeug logs every request to stderr, which would bury the one line
    # of stderr the error tests read.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    empty = tmp_path_factory.mktemp("aws") / "none"
    env = {f"AWS_ENDPOINT_URL_{s}": url for s in SERVICES}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        # Keep the developer's own AWS configuration out of the tests.
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
    )
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield env
    server.stop()


@pytest.fixture
def name() -> str:
    return f"probe-t{next(_names)}"


def _cli_args(name: str, target: Path, *extra: str) -> list[str]:
    return [
        "deploy-probe",
        "--image", IMAGE,
        "--role", ROLE,
        "--bucket", f"s3://{BUCKET}/runs",
        "--name", name,
        "--target-file", str(target),
        *extra,
    ]  # fmt: skip


def _plan(name: str, **overrides: object) -> object:
    values: dict[str, object] = dict(
        name=name, image=IMAGE, role_arn=ROLE, bucket=f"s3://{BUCKET}/runs"
    )
    values.update(overrides)
    return make_plan(**values)  # type: ignore[arg-type]


def _topic_arns(prefix: str) -> list[str]:
    sns = boto3.client("sns")
    arns = [t["TopicArn"] for p in sns.get_paginator("list_topics").paginate() for t in p["Topics"]]
    return sorted(a for a in arns if a.rsplit(":", 1)[-1].startswith(prefix))


def _queue_urls(prefix: str) -> list[str]:
    return sorted(boto3.client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))


def _sns_tags(arn: str) -> dict[str, str]:
    tags = boto3.client("sns").list_tags_for_resource(ResourceArn=arn)["Tags"]
    return {t["Key"]: t["Value"] for t in tags}


def _sm_tags(arn: str) -> dict[str, str]:
    return {
        t["Key"]: t["Value"] for t in boto3.client("sagemaker").list_tags(ResourceArn=arn)["Tags"]
    }


def test_deploy_creates_every_resource_tagged_and_subscribed(moto_env, name, tmp_path, capsys):
    target_path = tmp_path / "target.toml"
    assert main(_cli_args(name, target_path, "--max-concurrency", "3")) == 0
    out = capsys.readouterr().out
    assert "created 8" in out and "InService" in out

    sns, sqs, sm = boto3.client("sns"), boto3.client("sqs"), boto3.client("sagemaker")
    success, error = (f"arn:aws:sns:{REGION}:123456789012:{name}-{k}" for k in ("success", "error"))
    assert _topic_arns(name) == sorted([success, error])
    for topic in (success, error):
        assert _sns_tags(topic) == {TAG: name}

    [queue_url] = _queue_urls(f"{name}-")
    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {TAG: name}
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    queue_arn = attributes["QueueArn"]
    [statement] = json.loads(attributes["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == queue_arn
    assert sorted(statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted([success, error])
    for topic in (success, error):
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("sqs", queue_arn)]

    model = sm.describe_model(ModelName=name)
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["ExecutionRoleArn"] == ROLE
    config = sm.describe_endpoint_config(EndpointConfigName=name)
    [variant] = config["ProductionVariants"]
    assert variant["InitialInstanceCount"] == 1 and variant["ModelName"] == name
    output = config["AsyncInferenceConfig"]["OutputConfig"]
    assert output["S3OutputPath"] == f"s3://{BUCKET}/runs/{name}/output"
    assert output["S3FailurePath"] == f"s3://{BUCKET}/runs/{name}/failure"
    assert output["NotificationConfig"]["SuccessTopic"] == success
    assert output["NotificationConfig"]["ErrorTopic"] == error
    assert sorted(output["NotificationConfig"]["IncludeInferenceResponseIn"]) == [
        "ERROR_NOTIFICATION_TOPIC",
        "SUCCESS_NOTIFICATION_TOPIC",
    ]
    client_config = config["AsyncInferenceConfig"]["ClientConfig"]
    assert client_config["MaxConcurrentInvocationsPerInstance"] == 3
    endpoint = sm.describe_endpoint(EndpointName=name)
    assert endpoint["EndpointStatus"] == "InService"
    for arn in (model["ModelArn"], config["EndpointConfigArn"], endpoint["EndpointArn"]):
        assert _sm_tags(arn) == {TAG: name}

    target = load_target_file(target_path)
    assert (target.probe, target.aws, target.clock_scale) == (True, True, 1.0)
    assert target.endpoint_name == name and target.region == REGION
    assert target.input_s3 == f"s3://{BUCKET}/runs/{name}/input/"
    assert target.notifications is not None and target.notifications.queue_url == queue_url
    assert target.async_config is not None
    assert target.async_config.success_topic == success
    assert target.async_config.max_concurrent_invocations_per_instance == 3
    assert target.endpoints is not None
    assert target.endpoints.sagemaker_runtime == moto_env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"]
    deployment = target.deployment
    assert deployment is not None and (deployment.tag_key, deployment.tag_value) == (TAG, name)
    assert len(deployment.resources) == 8
    assert {success, error, queue_arn, endpoint["EndpointArn"]} <= set(deployment.resources)


def test_second_deploy_creates_nothing_and_says_so(moto_env, name, tmp_path, capsys):
    target_path = tmp_path / "target.toml"
    assert main(_cli_args(name, target_path)) == 0
    first = load_target_file(target_path)
    capsys.readouterr()
    assert main(_cli_args(name, target_path)) == 0
    out = capsys.readouterr().out
    assert "nothing created" in out and "reused 8" in out
    assert "created " not in out.replace("nothing created", "")
    second = load_target_file(target_path)
    assert second.deployment == first.deployment
    assert len(_topic_arns(name)) == 2
    assert len(_queue_urls(f"{name}-")) == 1
    sns = boto3.client("sns")
    for topic in _topic_arns(name):
        assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1


def test_deploy_refuses_an_untagged_resource_of_the_same_name(moto_env, name, tmp_path):
    boto3.client("sns").create_topic(Name=f"{name}-error")  # someone else's, no tag
    with pytest.raises(DeployError, match=f"without the tag {TAG}={name}") as caught:
        deploy_probe(_plan(name), target_path=tmp_path / "t.toml", out=lambda _: None)
    assert caught.value.exit_code == 2
    with pytest.raises(Exception, match="Could not find"):
        boto3.client("sagemaker").describe_model(ModelName=name)


def test_deploy_with_other_settings_says_to_tear_down(moto_env, name, tmp_path):
    path = tmp_path / "t.toml"
    deploy_probe(_plan(name), target_path=path, out=lambda _: None)
    with pytest.raises(DeployError, match="MaxConcurrentInvocationsPerInstance") as caught:
        deploy_probe(_plan(name, max_concurrency=4), target_path=path, out=lambda _: None)
    assert "conformance teardown --target" in str(caught.value)


def test_deploy_refuses_to_overwrite_another_deployments_record(moto_env, name, tmp_path):
    path = tmp_path / "t.toml"
    deploy_probe(_plan(name), target_path=path, out=lambda _: None)
    with pytest.raises(DeployError, match="records deployment"):
        deploy_probe(_plan(f"{name}-other"), target_path=path, out=lambda _: None)


def test_teardown_deletes_exactly_the_tagged_resources(moto_env, name, tmp_path, capsys):
    path = tmp_path / "target.toml"
    assert main(_cli_args(name, path)) == 0
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    # Look-alikes with the deployment's prefix but without its tag must survive.
    lookalike_topic = sns.create_topic(Name=f"{name}-success-copy")["TopicArn"]
    lookalike_queue = sqs.create_queue(QueueName=f"{name}-notifications-copy")["QueueUrl"]
    other_tag_topic = sns.create_topic(
        Name=f"{name}-other", Tags=[{"Key": TAG, "Value": "someone-else"}]
    )["TopicArn"]
    capsys.readouterr()

    assert main(["teardown", "--target", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("  deleted ") == 8
    assert "deleted 8, already gone 0, refused 0" in out
    assert _topic_arns(name) == sorted([lookalike_topic, other_tag_topic])
    assert _queue_urls(f"{name}-") == [lookalike_queue]
    sm = boto3.client("sagemaker")
    for describe in (
        lambda: sm.describe_endpoint(EndpointName=name),
        lambda: sm.describe_endpoint_config(EndpointConfigName=name),
        lambda: sm.describe_model(ModelName=name),
    ):
        with pytest.raises(Exception, match="Could not find"):
            describe()

    # Re-running is safe: everything is already gone.
    assert main(["teardown", "--target", str(path)]) == 0
    assert "deleted 0, already gone 8" in capsys.readouterr().out


def test_teardown_refuses_a_listed_resource_without_the_tag(moto_env, name, tmp_path, capsys):
    path = tmp_path / "target.toml"
    deploy_probe(_plan(name), target_path=path, out=lambda _: None)
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    foreign_topic = sns.create_topic(Name=f"{name}-foreign")["TopicArn"]
    foreign_url = sqs.create_queue(QueueName=f"{name}-foreign")["QueueUrl"]
    foreign_queue = sqs.get_queue_attributes(QueueUrl=foreign_url, AttributeNames=["QueueArn"])
    foreign_model = boto3.client("sagemaker").create_model(
        ModelName=f"{name}-foreign", PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=ROLE
    )["ModelArn"]
    target = load_target_file(path)
    assert target.deployment is not None
    tampered = [foreign_topic, foreign_queue["Attributes"]["QueueArn"], foreign_model]
    deployment = target.deployment.__class__(
        tag_key=TAG,
        tag_value=name,
        resources=(*target.deployment.resources, *tampered, "arn:aws:iam::123456789012:role/x"),
    )
    write_target_file(path, target.__class__(**{**target.__dict__, "deployment": deployment}))
    capsys.readouterr()

    assert main(["teardown", "--target", str(path)]) == 1
    captured = capsys.readouterr()
    assert "deleted 8" in captured.out and "refused 4" in captured.out
    assert captured.out.count("  refused: ") == 4 and "not tagged" in captured.out
    assert "left alone on purpose" in captured.err
    assert foreign_topic in _topic_arns(name)
    assert foreign_url in _queue_urls(f"{name}-")
    boto3.client("sagemaker").describe_model(ModelName=f"{name}-foreign")  # still there


def _recording_session() -> tuple[boto3.Session, list[tuple[str, str]]]:
    session = boto3.Session(region_name=REGION)
    calls: list[tuple[str, str]] = []

    def record(event_name: str, model: object, **_: object) -> None:
        calls.append((session_service(event_name), model.name))  # type: ignore[attr-defined]

    def session_service(event_name: str) -> str:
        # before-call.<service id>.<Operation>; service ids here equal boto3 names.
        return event_name.split(".")[1]

    session.events.register("before-call", record)
    return session, calls


def test_the_calls_each_command_makes_are_the_declared_ones(moto_env, name, tmp_path):
    session, calls = _recording_session()
    path = tmp_path / "t.toml"
    deploy_probe(_plan(name), target_path=path, session=session, out=lambda _: None)
    deploy_probe(_plan(name), target_path=path, session=session, out=lambda _: None)
    assert set(calls) == DEPLOY_CALLS
    calls.clear()
    result = teardown(load_target_file(path), target_path=path, session=session, out=lambda _: None)
    assert result.ok and len(result.deleted) == 8
    assert set(calls) == TEARDOWN_CALLS


def _denying_session(operation: str) -> boto3.Session:
    """A session whose ``operation`` answers 403 AuthorizationError, as IAM would."""
    session = _REAL_SESSION(region_name=REGION)

    def deny(model: object, **_: object) -> tuple[AWSResponse, dict] | None:
        if model.name != operation:  # type: ignore[attr-defined]
            return None
        response = AWSResponse("http://127.0.0.1", 403, {}, None)  # type: ignore[arg-type]
        return response, {
            "Error": {
                "Code": "AuthorizationError",
                "Message": f"User is not authorized to perform: sns:{operation}",
            },
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    session.events.register("before-call", deny)
    return session


def test_access_denied_is_one_line_naming_the_policy(moto_env, name, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        "conformance_deploy.aws.boto3.Session", lambda **_: _denying_session("CreateTopic")
    )
    assert main(_cli_args(name, tmp_path / "t.toml")) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("conformance deploy-probe: access denied calling CreateTopic")
    assert "'deploy-teardown' policy from docs/iam-policy.json" in err


def test_missing_credentials_is_a_clean_error(moto_env, name, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert main(_cli_args(name, tmp_path / "t.toml")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no AWS credentials found" in err


def test_missing_region_is_a_clean_error(moto_env, name, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert main(_cli_args(name, tmp_path / "t.toml")) == 2
    assert "no AWS region; pass --region" in capsys.readouterr().err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint_names_the_setting(moto_env, name, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", f"http://127.0.0.1:{_closed_port()}")
    assert main(_cli_args(name, tmp_path / "t.toml")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot connect to http://127.0.0.1:" in err and "AWS_ENDPOINT_URL_SNS" in err


def test_missing_bucket_is_a_clean_error(moto_env, name, tmp_path, capsys):
    args = _cli_args(name, tmp_path / "t.toml")
    args[args.index("--bucket") + 1] = "s3://no-such-bucket-here/x"
    assert main(args) == 2
    assert "bucket 'no-such-bucket-here' does not exist" in capsys.readouterr().err


def test_teardown_without_a_deployment_section(moto_env, tmp_path, capsys):
    path = tmp_path / "t.toml"
    path.write_text('endpoint_name = "x"\n')
    assert main(["teardown", "--target", str(path)]) == 2
    assert "has no [deployment] section" in capsys.readouterr().err


def test_bad_bucket_uri_in_a_subprocess_prints_one_line_and_exits_2(moto_env, tmp_path):
    env = {**os.environ, **moto_env}
    completed = subprocess.run(
        [sys.executable, "-m", "conformance", *_cli_args("probe-sub", tmp_path / "t.toml")[:5],
         "--bucket", "https://not-s3/bucket"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert "--bucket 'https://not-s3/bucket': expected s3://BUCKET" in completed.stderr
    assert not (tmp_path / "t.toml").exists()
