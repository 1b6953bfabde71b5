"""docs/iam-policy.json: valid, least privilege, and in step with the code.

The calls each command makes are recorded against moto in test_deploy_aws.py
and compared with DEPLOY_CALLS / TEARDOWN_CALLS; here the IAM actions those
lists need are compared with the policy document.
"""

from __future__ import annotations

import json
import re

import pytest

from conformance_deploy.iam import (
    DEPLOY_TEARDOWN_ACTIONS,
    PLACEHOLDERS,
    SUITE_QUEUE_PREFIX,
    SUITE_RUN_ACTIONS,
    default_policy_path,
    load_policies,
    policy_actions,
    render_policy,
)
from conformance_deploy.plan import DEFAULT_NAME

VALUES = {
    "REGION": "eu-west-1",
    "ACCOUNT_ID": "123456789012",
    "NAME": DEFAULT_NAME,
    "BUCKET": "my-bucket",
    "PREFIX": "conformance",
    "EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/probe-execution",
}
ACTION = re.compile(r"^(sagemaker|s3|sns|sqs|iam):[A-Z][A-Za-z0-9]+$")
RESOURCE = re.compile(r"^(\*|arn:aws:(sagemaker|sns|sqs|iam|s3):[a-z0-9-]*:(\d{12})?:\S+)$")


@pytest.fixture(scope="module")
def policies() -> dict:
    return load_policies()


def test_the_file_is_json_with_exactly_the_two_policies(policies):
    json.loads(default_policy_path().read_text())
    assert sorted(policies) == ["deploy-teardown", "suite-run"]


@pytest.mark.parametrize("policy_name", ["suite-run", "deploy-teardown"])
def test_each_policy_is_well_formed(policies, policy_name):
    policy = policies[policy_name]
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids)) and all(re.fullmatch(r"[A-Za-z0-9]+", s) for s in sids)
    rendered = render_policy(policy, VALUES)
    assert "<" not in json.dumps(rendered)
    for statement in rendered["Statement"]:
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            assert ACTION.match(action), action
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            assert RESOURCE.match(resource), resource


def test_deploy_teardown_grants_exactly_what_the_commands_call(policies):
    assert policy_actions(policies["deploy-teardown"]) == DEPLOY_TEARDOWN_ACTIONS


def test_suite_run_grants_exactly_the_suites_calls(policies):
    assert policy_actions(policies["suite-run"]) == SUITE_RUN_ACTIONS


def test_only_listing_and_subscription_reads_use_a_wildcard_resource(policies):
    for policy in policies.values():
        for statement in policy["Statement"]:
            if statement["Resource"] == "*":
                assert set(statement["Action"]) <= {
                    "sns:ListTopics",
                    "sns:GetSubscriptionAttributes",
                }


def test_the_suite_may_not_delete_the_deployment_queue(policies):
    rendered = render_policy(policies["suite-run"], VALUES)
    queue = f"arn:aws:sqs:eu-west-1:123456789012:{DEFAULT_NAME}-notifications"
    assert not queue.startswith(f"arn:aws:sqs:eu-west-1:123456789012:{SUITE_QUEUE_PREFIX}")
    for statement in rendered["Statement"]:
        if "sqs:DeleteQueue" in statement["Action"]:
            assert statement["Resource"] != queue


def test_pass_role_is_limited_to_sagemaker(policies):
    [statement] = [
        s for s in policies["deploy-teardown"]["Statement"] if s["Action"] == "iam:PassRole"
    ]
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


def test_render_without_a_prefix_and_with_missing_values(policies):
    rendered = json.dumps(render_policy(policies["suite-run"], {**VALUES, "PREFIX": ""}))
    assert f"arn:aws:s3:::my-bucket/{DEFAULT_NAME}/input/*" in rendered
    assert "//" not in rendered.replace("://", "")
    with pytest.raises(KeyError, match="BUCKET"):
        render_policy(policies["suite-run"], {k: v for k, v in VALUES.items() if k != "BUCKET"})
    assert set(PLACEHOLDERS) == set(VALUES)
