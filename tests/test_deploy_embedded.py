"""deploy-probe and teardown against the embedded stack's moto control plane.

The stack provisions its own probe endpoint, topics and bucket, none tagged by
deploy-probe: teardown must leave every one of them in place. (Running the
suite against what deploy-probe created is the lead's test, with the suite.)
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from conformance.targetfile import load_target_file
from conformance_cli.main import main

stack_module = pytest.importorskip("reference.stack")


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    empty = tmp_path_factory.mktemp("aws") / "none"
    with (
        stack_module.EmbeddedStack(clock_scale=0.05) as settings,
        pytest.MonkeyPatch.context() as patch,
    ):
        for key, value in settings.env.items():
            patch.setenv(key, value)
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.delenv("AWS_PROFILE", raising=False)
        yield {
            **settings.env,
            "ENDPOINT_NAME": settings.endpoint_name,
            "INPUT_S3": settings.input_s3,
        }


@pytest.mark.slow
def test_deploy_twice_then_teardown_leaves_the_stacks_own_resources(stack_env, tmp_path, capsys):
    sm, sns = boto3.client("sagemaker"), boto3.client("sns")
    before_topics = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    bucket = stack_env["INPUT_S3"].split("/")[2]
    target = tmp_path / "aws.target.toml"
    args = [
        "deploy-probe",
        "--image", stack_module.PROBE_IMAGE,
        "--role", stack_module.ROLE_ARN,
        "--bucket", f"s3://{bucket}/deployed",
        "--name", "deployed-probe",
        "--target-file", str(target),
    ]  # fmt: skip
    assert main(args) == 0
    assert main(args) == 0
    assert "nothing created" in capsys.readouterr().out
    loaded = load_target_file(target)
    assert loaded.endpoints is not None
    assert loaded.endpoints.sagemaker_runtime == stack_env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"]
    assert sm.describe_endpoint(EndpointName="deployed-probe")["EndpointStatus"] == "InService"

    assert main(["teardown", "--target", str(target)]) == 0
    assert "deleted 8, already gone 0, refused 0" in capsys.readouterr().out
    assert {t["TopicArn"] for t in sns.list_topics()["Topics"]} == before_topics
    stacks_endpoint = sm.describe_endpoint(EndpointName=stack_env["ENDPOINT_NAME"])
    assert stacks_endpoint["EndpointStatus"] == "InService"
