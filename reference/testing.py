"""Driving a started stack with plain boto3: clients and bounded waits (deadline_wait).

Used by the reference's own tests and the burst benchmark; the suite has its own
observation code and does not use this.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config

from deadline_wait import wait_for
from reference.endpoints import S3Uri
from reference.stack import StackSettings


def clients(settings: StackSettings) -> dict[str, Any]:
    """boto3 clients for the stack, configured exactly from `settings.env`."""
    env = settings.env
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    config = Config(max_pool_connections=64, retries={"max_attempts": 1})
    urls = {
        "sagemaker-runtime": env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"],
        "sagemaker": env["AWS_ENDPOINT_URL_SAGEMAKER"],
        "s3": env["AWS_ENDPOINT_URL_S3"],
        "sns": env["AWS_ENDPOINT_URL_SNS"],
        "sqs": env["AWS_ENDPOINT_URL_SQS"],
    }
    return {
        name: session.client(name, endpoint_url=url, config=config) for name, url in urls.items()
    }


def get_object(s3: Any, uri: str) -> tuple[bytes, str] | None:
    """The object's bytes and Content-Type, or None if it does not exist (yet)."""
    location = S3Uri.parse(uri)
    try:
        response = s3.get_object(Bucket=location.bucket, Key=location.key)
    except s3.exceptions.NoSuchKey:
        return None
    return response["Body"].read(), response.get("ContentType", "")


def object_exists(s3: Any, uri: str) -> bool:
    return get_object(s3, uri) is not None


def wait_for_outcome(
    s3: Any, response: dict[str, Any], *, timeout: float
) -> tuple[str, bytes, str]:
    """("output" | "failure", body, content type) of an accepted request."""

    def look() -> tuple[str, bytes, str] | None:
        for kind, header in (("output", "OutputLocation"), ("failure", "FailureLocation")):
            uri = response.get(header)
            found = get_object(s3, uri) if uri else None
            if found is not None:
                return kind, found[0], found[1]
        return None

    return wait_for(look, timeout=timeout, what=f"an outcome of {response.get('InferenceId')}")


def subscribe_queue(settings: StackSettings, sqs: Any, sns: Any, name: str) -> str:
    """An SQS queue subscribed to both topics; returns its URL."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for topic in (settings.success_topic_arn, settings.error_topic_arn):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url


def drain_notifications(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every SageMaker message currently in the queue (SNS envelope unwrapped)."""
    messages: list[dict[str, Any]] = []
    for _ in range(100):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        received = batch.get("Messages", [])
        if not received:
            break
        for message in received:
            envelope = json.loads(message["Body"])
            messages.append(
                {"TopicArn": envelope.get("TopicArn"), **json.loads(envelope["Message"])}
            )
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages
