"""deploy-probe's S3, SNS and SQS steps: check the bucket, the two topics, the queue
they deliver to, and its subscriptions."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from conformance_deploy.errors import DeployError
from conformance_deploy.ledger import Ledger
from conformance_deploy.plan import TAG_KEY
from conformance_deploy.resources import is_gone


def check_bucket(ledger: Ledger) -> None:
    bucket = ledger.plan.location.bucket
    try:
        location = ledger.clients.s3.get_bucket_location(Bucket=bucket)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "NoSuchBucket":
            raise DeployError(
                f"--bucket: bucket {bucket!r} does not exist; create it in "
                f"{ledger.clients.region} or pass another --bucket"
            ) from None
        raise
    # GetBucketLocation answers None for us-east-1 and "EU" for the oldest eu-west-1.
    region = location.get("LocationConstraint") or "us-east-1"
    region = "eu-west-1" if region == "EU" else region
    if region != ledger.clients.region:
        ledger.out(
            f"  warning: bucket {bucket} is in {region}, the endpoint in "
            f"{ledger.clients.region}; cross-region output costs transfer and may be refused"
        )


def find_topic(ledger: Ledger, name: str) -> str | None:
    # ListTopics, not an ARN built from an account id: that would need STS,
    # which the suite's endpoint settings do not cover.
    for page in ledger.clients.sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return str(topic["TopicArn"])
    return None


def topic(ledger: Ledger, name: str) -> str:
    arn = find_topic(ledger, name)
    if arn is not None:
        tags = ledger.clients.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
        ledger.require_tag("topic", name, {t["Key"]: t["Value"] for t in tags})
        ledger.note("topic", name, arn, created=False)
    else:
        arn = str(ledger.clients.sns.create_topic(Name=name, Tags=ledger.plan.tags())["TopicArn"])
        ledger.note("topic", name, arn, created=True)
    ledger.topic_arns[name] = arn
    return arn


def queue_policy(ledger: Ledger, queue_arn: str) -> dict[str, Any]:
    # SNS needs the queue's permission to deliver; the SourceArn condition keeps
    # every other topic (and account) out.
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ConformanceTopicsMayDeliver",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": sorted(ledger.topic_arns.values())}},
            }
        ],
    }


def queue(ledger: Ledger) -> str:
    name = ledger.plan.queue
    sqs = ledger.clients.sqs
    try:
        url: str | None = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as exc:
        if not is_gone(exc):
            raise
        url = None
    created = url is None
    if url is None:
        url = str(sqs.create_queue(QueueName=name, tags={TAG_KEY: ledger.plan.name})["QueueUrl"])
    else:
        ledger.require_tag("queue", name, sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])
    arn = str(attributes["Attributes"]["QueueArn"])
    ledger.queue_url = url
    ledger.note("queue", name, arn, created=created)
    wanted = queue_policy(ledger, arn)
    current = attributes["Attributes"].get("Policy")
    if current is None or json.loads(current) != wanted:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(wanted)})
        ledger.out(f"  set queue {name} policy: the two topics may send to it")
    else:
        ledger.out(f"  queue {name} policy already lets the two topics send")
    return arn


def subscription(ledger: Ledger, topic_arn: str, queue_arn: str) -> None:
    label = f"{topic_arn.rsplit(':', 1)[-1]} -> {ledger.plan.queue}"
    pages = ledger.clients.sns.get_paginator("list_subscriptions_by_topic")
    for page in pages.paginate(TopicArn=topic_arn):
        for sub in page.get("Subscriptions", []):
            confirmed = sub["SubscriptionArn"].count(":") == 6  # not "PendingConfirmation"
            if sub.get("Protocol") == "sqs" and sub.get("Endpoint") == queue_arn and confirmed:
                ledger.note("subscription", label, sub["SubscriptionArn"], created=False)
                return
    # Raw delivery stays off: the SNS envelope carries TopicArn, the only way to
    # tell success from error notifications arriving on the one shared queue.
    response = ledger.clients.sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True
    )
    ledger.note("subscription", label, str(response["SubscriptionArn"]), created=True)
