"""teardown: delete exactly what deploy-probe recorded, and only if it carries the tag.

The target file's ``[deployment]`` lists every resource deploy-probe created or
reused. Each one is looked up, its tags are read, and it is deleted only when
``tag_key=tag_value`` is among them; anything else is refused and reported.
A resource that is already gone counts as done, so teardown can be re-run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from conformance.targetfile import TargetFile
from conformance_deploy.aws import AwsClients, endpoint_overrides, make_clients
from conformance_deploy.errors import DeployError, clean_errors, describe_client_error
from conformance_deploy.resources import KINDS, ResourceRef, delete, parse_arn, read_tags

POLICY = "deploy-teardown"


@dataclass
class TeardownResult:
    deleted: list[str] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # present but not tagged as ours
    failed: list[str] = field(default_factory=list)  # AWS refused the deletion

    @property
    def ok(self) -> bool:
        return not self.refused and not self.failed

    def summary(self) -> str:
        return (
            f"deleted {len(self.deleted)}, already gone {len(self.already_gone)}, "
            f"refused {len(self.refused)} (not tagged), failed {len(self.failed)}"
        )


def _ordered(arns: tuple[str, ...]) -> tuple[list[ResourceRef], list[str]]:
    refs, unknown = [], []
    for arn in dict.fromkeys(arns):  # de-duplicated, order kept
        ref = parse_arn(arn)
        if ref is None:
            unknown.append(arn)
        else:
            refs.append(ref)
    refs.sort(key=lambda r: KINDS.index(r.kind))
    return refs, unknown


def _teardown_one(
    clients: AwsClients,
    ref: ResourceRef,
    tag: tuple[str, str],
    result: TeardownResult,
    out: Callable[[str], None],
) -> None:
    key, value = tag
    try:
        tags = read_tags(clients, ref)
        if tags is None:
            out(f"  already gone: {ref.describe()} ({ref.arn})")
            result.already_gone.append(ref.arn)
            return
        if tags.get(key) != value:
            what = "its topic is" if ref.kind == "subscription" else "it is"
            out(f"  refused: {ref.describe()} ({ref.arn}): {what} not tagged {key}={value}")
            result.refused.append(ref.arn)
            return
        delete(clients, ref)
    except ClientError as exc:
        out(f"  failed: {ref.describe()} ({ref.arn}): {describe_client_error(exc, POLICY)}")
        result.failed.append(ref.arn)
        return
    out(f"  deleted {ref.describe()} ({ref.arn})")
    result.deleted.append(ref.arn)


def teardown(
    target: TargetFile,
    *,
    target_path: str | os.PathLike[str],
    region: str | None = None,
    session: boto3.Session | None = None,
    out: Callable[[str], None] = print,
) -> TeardownResult:
    """Delete the tagged resources the target file's ``[deployment]`` lists.

    Raises ``DeployError`` for problems that stop everything (credentials,
    endpoints); per-resource refusals and failures are in the result.
    """
    path = Path(target_path)
    deployment = target.deployment
    if deployment is None:
        raise DeployError(
            f"{path} has no [deployment] section: only a target file written by "
            "deploy-probe says what to delete"
        )
    endpoints, settings = endpoint_overrides(target, path)
    clients = make_clients(
        region or target.region,
        session,
        endpoints={k: v for k, v in endpoints.items() if k != "sagemaker_runtime"},
        endpoint_settings=settings,
    )
    result = TeardownResult()
    refs, unknown = _ordered(deployment.resources)
    out(
        f"teardown: {len(refs)} resource(s) of deployment {deployment.tag_value} in "
        f"{clients.region}; deleting only those tagged {deployment.tag_key}={deployment.tag_value}"
    )
    for arn in unknown:
        out(f"  refused: {arn}: not a kind of resource deploy-probe creates")
        result.refused.append(arn)
    with clean_errors(clients.endpoint_variables(), POLICY):
        for ref in refs:
            _teardown_one(clients, ref, (deployment.tag_key, deployment.tag_value), result, out)
    return result
