"""The app's own tests, against `conformance serve`'s stack through the plugin's
`sagemaker_async_stack` fixture (installed with sagemaker-async-conformance)."""

from __future__ import annotations

import json

import pytest
from app import Scorer


@pytest.fixture
def scorer(sagemaker_async_stack):
    stack = sagemaker_async_stack
    return Scorer(
        runtime=stack.runtime, s3=stack.s3, endpoint_name=stack.endpoint_name, bucket=stack.bucket
    )


def test_a_document_is_scored(scorer, sagemaker_async_stack):
    submitted = scorer.submit({"tag": "app-doc-1", "text": "hello"})
    assert submitted.output_location.startswith(sagemaker_async_stack.output_path + "/")
    answer = json.loads(scorer.result(submitted))
    # The stack's model is the suite's probe: it answers with a record of its input.
    assert answer["tag"] == "app-doc-1"
    assert answer["headers"]["content-type"] == "application/json"


def test_a_model_error_is_raised_with_its_text(scorer):
    submitted = scorer.submit({"tag": "app-doc-2", "status": 500})
    with pytest.raises(RuntimeError):
        scorer.result(submitted)


def test_code_that_builds_its_own_clients_uses_the_environment(sagemaker_async_stack):
    import boto3

    with sagemaker_async_stack.environment():
        status = boto3.client("sagemaker").describe_endpoint(
            EndpointName=sagemaker_async_stack.endpoint_name
        )["EndpointStatus"]
    assert status == "InService"
