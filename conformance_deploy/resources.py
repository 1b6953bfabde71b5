"""The kinds of resource deploy-probe creates: ARNs, tags, existence, deletion.

Teardown trusts nothing but tags: before deleting anything it reads the
resource's own tags (for an SNS subscription, which cannot be tagged, the tags
of its topic) and refuses unless they name this deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import ClientError

from conformance_deploy.aws import AwsClients

# Teardown deletes in this order: the endpoint first (it uses the config and the
# model, and it is what costs money), the queue last (it outlives its subscriptions).
KINDS = (
    "endpoint",
    "endpoint-config",
    "model",
    "subscription",
    "topic",
    "queue",
)
_GONE_CODES = frozenset(
    {
        "NotFound",
        "NotFoundException",
        "ResourceNotFound",
        "ResourceNotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
    }
)
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>\d*):(?P<rest>.+)$"
)


@dataclass(frozen=True)
class ResourceRef:
    kind: str
    name: str
    arn: str
    account: str

    def describe(self) -> str:
        return f"{self.kind} {self.name}"


def parse_arn(arn: str) -> ResourceRef | None:
    """The resource an ARN names, or None when it is no kind deploy-probe creates."""
    match = _ARN.match(arn)
    if not match:
        return None
    service, rest, account = match["service"], match["rest"], match["account"]
    if service == "sns":
        parts = rest.split(":")
        if len(parts) == 1:
            return ResourceRef("topic", parts[0], arn, account)
        if len(parts) == 2:
            return ResourceRef("subscription", rest, arn, account)
        return None
    if service == "sqs" and ":" not in rest:
        return ResourceRef("queue", rest, arn, account)
    if service == "sagemaker" and "/" in rest:
        kind, _, name = rest.partition("/")
        if kind in ("model", "endpoint-config", "endpoint") and name and "/" not in name:
            return ResourceRef(kind, name, arn, account)
    return None


def is_gone(exc: ClientError) -> bool:
    """True when a ClientError means "no such resource" (each service says it differently)."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    if code in _GONE_CODES:
        return True
    # SageMaker answers a missing model/config/endpoint with a ValidationException.
    return code == "ValidationException" and "Could not find" in str(error.get("Message", ""))


def _sagemaker_tags(clients: AwsClients, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in clients.sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
    return tags


def queue_url(clients: AwsClients, ref: ResourceRef) -> str | None:
    try:
        kwargs: dict[str, str] = {"QueueName": ref.name}
        if ref.account:
            kwargs["QueueOwnerAWSAccountId"] = ref.account
        return str(clients.sqs.get_queue_url(**kwargs)["QueueUrl"])
    except ClientError as exc:
        if is_gone(exc):
            return None
        raise


def read_tags(clients: AwsClients, ref: ResourceRef) -> dict[str, str] | None:
    """The resource's tags, or None when it no longer exists.

    A subscription cannot be tagged, so it reports its topic's tags: deleting a
    subscription is safe exactly when its topic belongs to the deployment.
    """
    try:
        if ref.kind == "topic":
            response = clients.sns.list_tags_for_resource(ResourceArn=ref.arn)
            return {t["Key"]: t["Value"] for t in response.get("Tags", [])}
        if ref.kind == "subscription":
            attributes = clients.sns.get_subscription_attributes(SubscriptionArn=ref.arn)
            topic = parse_arn(attributes["Attributes"]["TopicArn"])
            return read_tags(clients, topic) if topic else {}
        if ref.kind == "queue":
            url = queue_url(clients, ref)
            if url is None:
                return None
            return dict(clients.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        # SageMaker's ListTags on a deleted resource is not a clean "not found"
        # everywhere, so ask Describe first: it answers "Could not find".
        describe = {
            "model": lambda: clients.sagemaker.describe_model(ModelName=ref.name),
            "endpoint-config": lambda: clients.sagemaker.describe_endpoint_config(
                EndpointConfigName=ref.name
            ),
            "endpoint": lambda: clients.sagemaker.describe_endpoint(EndpointName=ref.name),
        }[ref.kind]
        describe()
        return _sagemaker_tags(clients, ref.arn)
    except ClientError as exc:
        if is_gone(exc):
            return None
        raise


def delete(clients: AwsClients, ref: ResourceRef) -> None:
    """Delete one resource; the caller has already verified its tags."""
    if ref.kind == "endpoint":
        clients.sagemaker.delete_endpoint(EndpointName=ref.name)
    elif ref.kind == "endpoint-config":
        clients.sagemaker.delete_endpoint_config(EndpointConfigName=ref.name)
    elif ref.kind == "model":
        clients.sagemaker.delete_model(ModelName=ref.name)
    elif ref.kind == "subscription":
        clients.sns.unsubscribe(SubscriptionArn=ref.arn)
    elif ref.kind == "topic":
        clients.sns.delete_topic(TopicArn=ref.arn)
    elif ref.kind == "queue":
        url = queue_url(clients, ref)
        if url is not None:
            clients.sqs.delete_queue(QueueUrl=url)
    else:  # pragma: no cover - parse_arn only yields the kinds above
        raise ValueError(ref.kind)
