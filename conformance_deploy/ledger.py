"""What a deployment has found or created so far, and its target file, written after each step.

Every step of ``deploy-probe`` notes the resource it created or reused here; the
target file is rewritten at once, so an interrupted deploy can still be torn down.
A resource of this deployment's name without its tag is someone else's and stops
the deploy; settings that cannot change in place are compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.targetfile import (
    AsyncConfig,
    Deployment,
    Endpoints,
    Notifications,
    TargetFile,
    write_target_file,
)
from conformance_deploy.aws import AwsClients
from conformance_deploy.errors import DeployError
from conformance_deploy.plan import (
    INCLUDE_INFERENCE_RESPONSE_IN,
    INSTANCE_COUNT,
    TAG_KEY,
    ProbePlan,
)
from spec.catalogue import DEFAULT_PROFILES

# AWS implements the newest API revision by definition (FACTS.md, "API revisions").
AWS_REVISION = "2026"


@dataclass(frozen=True)
class DeployedResource:
    kind: str
    name: str
    arn: str
    created: bool


@dataclass(frozen=True)
class DeployResult:
    resources: tuple[DeployedResource, ...]
    target: TargetFile
    target_path: Path
    endpoint_status: str

    @property
    def created(self) -> tuple[DeployedResource, ...]:
        return tuple(r for r in self.resources if r.created)

    @property
    def reused(self) -> tuple[DeployedResource, ...]:
        return tuple(r for r in self.resources if not r.created)


def _differences(desired: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` departs from ``desired``; keys only ``actual`` has are ignored
    (AWS adds defaults such as KmsKeyId that deploy-probe never set)."""
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'value'}: {desired!r} wanted, {actual!r} deployed"]
        found: list[str] = []
        for key, value in desired.items():
            found += _differences(value, actual.get(key), f"{path}.{key}" if path else key)
        return found
    if (
        isinstance(desired, list)
        and isinstance(actual, list)
        and all(isinstance(v, str) for v in [*desired, *actual])
    ):
        desired, actual = sorted(desired), sorted(actual)
    if desired != actual:
        return [f"{path}: {desired!r} wanted, {actual!r} deployed"]
    return []


class Ledger:
    """The deployment in progress: its plan, clients, resources and target file."""

    def __init__(
        self,
        plan: ProbePlan,
        clients: AwsClients,
        target_path: Path,
        existing: TargetFile | None,
        endpoints: Mapping[str, str],
        out: Callable[[str], None],
    ) -> None:
        self.plan = plan
        self.clients = clients
        self.target_path = target_path
        self.existing = existing
        self.endpoints = endpoints
        self.out = out
        self.resources: list[DeployedResource] = []
        self.topic_arns: dict[str, str] = {}
        self.queue_url: str | None = None

    def note(self, kind: str, name: str, arn: str, created: bool) -> None:
        self.resources.append(DeployedResource(kind, name, arn, created))
        if created:
            self.out(f"  created {kind} {name} ({arn})")
        elif kind == "subscription":
            # Subscriptions cannot be tagged; it was found on a topic verified as ours.
            self.out(f"  found {kind} {name} on this deployment's topic: reusing it")
        else:
            self.out(f"  found {kind} {name}, tagged {TAG_KEY}={self.plan.name}: reusing it")
        self.save()

    def require_tag(self, kind: str, name: str, tags: Mapping[str, str]) -> None:
        if tags.get(TAG_KEY) != self.plan.name:
            raise DeployError(
                f"{kind} {name!r} already exists without the tag {TAG_KEY}={self.plan.name}, "
                "so it is not this deployment's; pass another --name (nothing was changed)"
            )

    def require_same(self, kind: str, name: str, desired: Any, actual: Any) -> None:
        drift = _differences(desired, actual)
        if drift:
            raise DeployError(
                f"{kind} {name} exists with other settings ({'; '.join(drift)}); it cannot "
                f"be changed in place: run `conformance teardown --target {self.target_path}` "
                "and deploy again, or pass another --name"
            )

    def target(self) -> TargetFile:
        plan, existing = self.plan, self.existing or TargetFile()
        success = self.topic_arns.get(plan.success_topic)
        error = self.topic_arns.get(plan.error_topic)
        return dataclasses.replace(
            existing,
            name=existing.name or plan.name,
            endpoint_name=plan.name,
            input_s3=plan.input_s3,
            revision=existing.revision or AWS_REVISION,
            profiles=existing.profiles or DEFAULT_PROFILES,
            probe=True,
            clock_scale=1.0,
            region=self.clients.region,
            aws=True,
            endpoints=Endpoints(**self.endpoints) if self.endpoints else existing.endpoints,
            async_config=AsyncConfig(
                s3_output_path=plan.output_path,
                s3_failure_path=plan.failure_path,
                success_topic=success,
                error_topic=error,
                include_inference_response_in=INCLUDE_INFERENCE_RESPONSE_IN,
                max_concurrent_invocations_per_instance=plan.max_concurrency,
                instance_count=INSTANCE_COUNT,
            ),
            notifications=Notifications(queue_url=self.queue_url)
            if self.queue_url
            else existing.notifications,
            deployment=Deployment(
                tag_key=TAG_KEY,
                tag_value=plan.name,
                resources=tuple(r.arn for r in self.resources),
                instance_type=plan.instance_type,
            ),
        )

    def save(self) -> None:
        write_target_file(self.target_path, self.target())
