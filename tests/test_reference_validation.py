"""Every invalid request strategies/ generates is a 400 ValidationError and is never queued."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference.endpoints import S3Uri
from reference.parts import DEFAULT_VALIDATOR
from reference.request import raw_request
from reference.stack import EmbeddedStack, StackSettings
from reference.testing import clients, wait_for_outcome
from strategies.requests import InvalidRequest, invalid_requests

SENT: list[str] = []


@pytest.fixture(scope="module")
def stack() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=0.02) as settings:
        yield settings


@pytest.fixture(scope="module")
def aws(stack: StackSettings) -> dict[str, Any]:
    return clients(stack)


@pytest.fixture(scope="module")
def raw_runtime(stack: StackSettings) -> Any:
    # Client-side validation off: the service, not botocore, must reject these.
    return boto3.session.Session(
        aws_access_key_id=stack.access_key, aws_secret_access_key=stack.secret_key,
        region_name=stack.region,
    ).client("sagemaker-runtime", endpoint_url=stack.service_url,
             config=Config(parameter_validation=False, retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def input_location(stack: StackSettings, aws: dict[str, Any]) -> str:
    target = S3Uri.parse(stack.input_s3).join("valid-input.json")
    aws["s3"].put_object(Bucket=target.bucket, Key=target.key, Body=b'{"tag": "input"}')
    return str(target)


def probe_sequence(stack: StackSettings, aws: dict[str, Any]) -> int:
    response = aws["sagemaker-runtime"].invoke_endpoint_async(
        EndpointName=stack.endpoint_name, Body=b"{}", ContentType="application/json"
    )
    _, body, _ = wait_for_outcome(aws["s3"], response, timeout=20)
    return int(json.loads(body)["sequence"])


def count_objects(aws: dict[str, Any], stack: StackSettings) -> int:
    bucket = S3Uri.parse(stack.output_path).bucket
    pages = aws["s3"].get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sum(
        1 for page in pages for item in page.get("Contents", [])
        if not item["Key"].startswith("inputs/")
    )


def test_every_invalid_request_is_rejected_and_never_queued(
    stack, aws, raw_runtime, input_location
) -> None:
    before_sequence = probe_sequence(stack, aws)
    before_objects = count_objects(aws, stack)
    strategy = invalid_requests(endpoint_name=stack.endpoint_name, input_location=input_location)

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        case: InvalidRequest = data.draw(strategy)
        try:
            raw_runtime.invoke_endpoint_async(**case.params)
        except ClientError as error:
            response = error.response
            status = response["ResponseMetadata"]["HTTPStatusCode"]
            assert 400 <= status < 500, (case.violation, response)
            if case.violation.kind not in {"type"} and case.violation.behaviour not in {
                "IEA-VAL-024", "IEA-VAL-025"
            }:
                assert status == 400, (case.violation, response)
                assert response["Error"]["Code"] == "ValidationError", (case.violation, response)
                assert response["Error"]["Message"], case.violation
            SENT.append(case.violation.behaviour)
            return
        except (UnicodeEncodeError, ValueError):
            return  # HTTP cannot carry this value; nothing was sent
        pytest.fail(f"accepted an invalid request: {case.violation}")

    check()
    assert SENT, "no invalid request reached the service"
    print(f"rejected {len(SENT)} invalid requests: {sorted(set(SENT))}")
    # Exactly one container call since: the probe_sequence request itself.
    assert probe_sequence(stack, aws) == before_sequence + 1
    assert count_objects(aws, stack) == before_objects + 1


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({"X-Amzn-SageMaker-RequestTTLSeconds": "59"}, "RequestTTLSeconds.minimum"),
        ({"X-Amzn-SageMaker-RequestTTLSeconds": "sixty"}, "RequestTTLSeconds.type"),
        ({"X-Amzn-SageMaker-Inference-Id": " lead"}, "InferenceId.pattern"),
        ({"X-Amzn-SageMaker-Filename": "a.b.c"}, "Filename.pattern"),
        ({"X-Amzn-SageMaker-S3OutputPathExtension": "s3:x"}, "S3OutputPathExtension.pattern"),
        ({"X-Amzn-SageMaker-InputLocation": ""}, "InputLocation.min_length"),
    ],
)
def test_each_rule_is_named_and_dropping_it_accepts(headers: dict[str, str], rule: str) -> None:
    """The seam mutants use: removing one named rule lets exactly that fault through."""
    raw = raw_request("my-endpoint", headers, b"{}" if "X-Amzn-SageMaker-InputLocation"
                      not in headers else b"")
    assert DEFAULT_VALIDATOR.validate(raw)
    assert DEFAULT_VALIDATOR.without(rule).validate(raw) == [], rule


def test_endpoint_name_rules() -> None:
    assert DEFAULT_VALIDATOR.validate(raw_request("a" * 64, {}, b"x"))
    assert DEFAULT_VALIDATOR.validate(raw_request("-bad", {}, b"x"))
    assert DEFAULT_VALIDATOR.validate(raw_request("", {}, b"x"))
    assert not DEFAULT_VALIDATOR.validate(raw_request("ok-1--2", {}, b"x"))
    assert DEFAULT_VALIDATOR.validate(raw_request("x", {}, b""))  # neither body nor input
    assert DEFAULT_VALIDATOR.validate(raw_request("x", {}, b"y" * 128_001))
    with pytest.raises(ValueError, match="names="):
        DEFAULT_VALIDATOR.without(f"nope-{uuid.uuid4()}")
