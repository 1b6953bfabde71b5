"""Which AWS API calls each command makes, and the IAM actions they need.

``docs/iam-policy.json`` must grant exactly these actions; the tests record the
calls deploy-probe and teardown really make (botocore ``before-call`` events
against moto) and compare them with the lists here, then compare the IAM
actions derived from the lists with the policy document. Change the code, and
the test tells you to change the policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Call = tuple[str, str]  # (boto3 service name, API operation name)

DEPLOY_CALLS: frozenset[Call] = frozenset(
    {
        ("s3", "GetBucketLocation"),
        ("sns", "ListTopics"),
        ("sns", "ListTagsForResource"),
        ("sns", "CreateTopic"),
        ("sns", "ListSubscriptionsByTopic"),
        ("sns", "Subscribe"),
        ("sqs", "GetQueueUrl"),
        ("sqs", "ListQueueTags"),
        ("sqs", "CreateQueue"),
        ("sqs", "GetQueueAttributes"),
        ("sqs", "SetQueueAttributes"),
        ("sagemaker", "DescribeModel"),
        ("sagemaker", "CreateModel"),
        ("sagemaker", "ListTags"),
        ("sagemaker", "DescribeEndpointConfig"),
        ("sagemaker", "CreateEndpointConfig"),
        ("sagemaker", "DescribeEndpoint"),
        ("sagemaker", "CreateEndpoint"),
    }
)

TEARDOWN_CALLS: frozenset[Call] = frozenset(
    {
        ("sns", "ListTagsForResource"),
        ("sns", "GetSubscriptionAttributes"),
        ("sns", "Unsubscribe"),
        ("sns", "DeleteTopic"),
        ("sqs", "GetQueueUrl"),
        ("sqs", "ListQueueTags"),
        ("sqs", "DeleteQueue"),
        ("sagemaker", "DescribeModel"),
        ("sagemaker", "DescribeEndpointConfig"),
        ("sagemaker", "DescribeEndpoint"),
        ("sagemaker", "ListTags"),
        ("sagemaker", "DeleteEndpoint"),
        ("sagemaker", "DeleteEndpointConfig"),
        ("sagemaker", "DeleteModel"),
    }
)

# What the suite itself calls during `conformance run` against a deployed probe
# (read from conformance/session.py and observe.py; ListObjectsV2 is granted for
# listing the run's prefixes; the suite's own call recording should confirm it).
# Queues the suite creates must be named with SUITE_QUEUE_PREFIX, which must not
# match the deployment's own queue (the suite deletes its queues).
SUITE_RUN_CALLS: frozenset[Call] = frozenset(
    {
        ("sagemaker-runtime", "InvokeEndpointAsync"),
        ("sagemaker", "DescribeEndpoint"),
        ("sagemaker", "DescribeEndpointConfig"),
        ("s3", "GetObject"),
        ("s3", "PutObject"),
        ("s3", "DeleteObject"),
        ("s3", "DeleteObjects"),
        ("s3", "ListObjectsV2"),
        ("sns", "Subscribe"),
        ("sns", "Unsubscribe"),
        ("sqs", "CreateQueue"),
        ("sqs", "DeleteQueue"),
        ("sqs", "ReceiveMessage"),
        ("sqs", "DeleteMessage"),
        ("sqs", "DeleteMessageBatch"),
        ("sqs", "GetQueueAttributes"),
        ("sqs", "SetQueueAttributes"),
    }
)
SUITE_QUEUE_PREFIX = "conformance-run-"

# Calls whose IAM action is not "<service>:<Operation>".
_RENAMED: Mapping[Call, tuple[str, ...]] = {
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sagemaker-runtime", "InvokeEndpointAsync"): ("sagemaker:InvokeEndpointAsync",),
}
# Calls that need a second permission: tag-on-create is authorised separately,
# and CreateModel hands the execution role to SageMaker.
_ALSO_NEEDS: Mapping[Call, tuple[str, ...]] = {
    ("sns", "CreateTopic"): ("sns:TagResource",),
    ("sqs", "CreateQueue"): ("sqs:TagQueue",),
    ("sagemaker", "CreateModel"): ("sagemaker:AddTags", "iam:PassRole"),
    ("sagemaker", "CreateEndpointConfig"): ("sagemaker:AddTags",),
    ("sagemaker", "CreateEndpoint"): ("sagemaker:AddTags",),
}
# The suite creates its queues untagged, so its CreateQueue needs no TagQueue.
_SUITE_ALSO_NEEDS: Mapping[Call, tuple[str, ...]] = {}

PLACEHOLDERS = ("REGION", "ACCOUNT_ID", "NAME", "BUCKET", "PREFIX", "EXECUTION_ROLE_ARN")
_PLACEHOLDER = re.compile(r"<([A-Z_]+)>")


def iam_actions(calls: Iterable[Call], *, tagging: bool = True) -> frozenset[str]:
    """The IAM actions a set of calls needs (``tagging``: creates carry tags)."""
    extra = _ALSO_NEEDS if tagging else _SUITE_ALSO_NEEDS
    actions: set[str] = set()
    for call in calls:
        service, operation = call
        actions.update(_RENAMED.get(call, (f"{service}:{operation}",)))
        actions.update(extra.get(call, ()))
    return frozenset(actions)


DEPLOY_TEARDOWN_ACTIONS = iam_actions(DEPLOY_CALLS | TEARDOWN_CALLS)
SUITE_RUN_ACTIONS = iam_actions(SUITE_RUN_CALLS, tagging=False)


def default_policy_path() -> Path:
    return Path(__file__).resolve().parents[1] / "docs" / "iam-policy.json"


def load_policies(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{"suite-run": policy, "deploy-teardown": policy}`` from docs/iam-policy.json."""
    document = json.loads((path or default_policy_path()).read_text(encoding="utf-8"))
    return {key: value for key, value in document.items() if not key.startswith("_")}


def policy_actions(policy: Mapping[str, Any]) -> frozenset[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return frozenset(actions)


def render_policy(policy: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """The policy with ``<REGION>``-style placeholders filled in; all must be given."""
    text = json.dumps(policy)
    if values.get("PREFIX") == "":
        # --bucket s3://B without a prefix: the paths start at the deployment name.
        text = text.replace("<PREFIX>/", "")
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise KeyError(f"no value for placeholder(s) {', '.join(missing)}")
    filled = _PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], text)
    return dict(json.loads(filled))
