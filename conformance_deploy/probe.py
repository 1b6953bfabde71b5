"""deploy-probe: create, or find and reuse, everything a real-AWS run needs.

Idempotence is by name and tag: every resource has a name derived from the
deployment name; a resource of that name that carries this deployment's tag is
reused, one without it is someone else's and stops the deploy. Settings that
cannot change in place (a model's image, an endpoint config) are compared, and
a difference stops the deploy with the command that resolves it.

The target file is written after every step, so that an interrupted deploy can
still be torn down by ``conformance teardown --target FILE``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from conformance.targetfile import (
    AsyncConfig,
    Deployment,
    Endpoints,
    Notifications,
    TargetFile,
    TargetFileError,
    load_target_file,
    write_target_file,
)
from conformance_deploy.aws import AwsClients, endpoint_overrides, make_clients
from conformance_deploy.errors import DeployError, clean_errors
from conformance_deploy.plan import (
    INCLUDE_INFERENCE_RESPONSE_IN,
    INSTANCE_COUNT,
    TAG_KEY,
    ProbePlan,
)
from conformance_deploy.resources import is_gone
from conformance_deploy.wait import wait_for_endpoint
from spec.catalogue import DEFAULT_PROFILES

# AWS implements the newest API revision by definition (FACTS.md, "API revisions").
AWS_REVISION = "2026"
POLICY = "deploy-teardown"


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


class _Deployer:
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

    # -- bookkeeping

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

    # -- steps, in dependency order

    def check_bucket(self) -> None:
        bucket = self.plan.location.bucket
        try:
            location = self.clients.s3.get_bucket_location(Bucket=bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "NoSuchBucket":
                raise DeployError(
                    f"--bucket: bucket {bucket!r} does not exist; create it in "
                    f"{self.clients.region} or pass another --bucket"
                ) from None
            raise
        # GetBucketLocation answers None for us-east-1 and "EU" for the oldest eu-west-1.
        region = location.get("LocationConstraint") or "us-east-1"
        region = "eu-west-1" if region == "EU" else region
        if region != self.clients.region:
            self.out(
                f"  warning: bucket {bucket} is in {region}, the endpoint in "
                f"{self.clients.region}; cross-region output costs transfer and may be refused"
            )

    def find_topic(self, name: str) -> str | None:
        # ListTopics, not an ARN built from an account id: that would need STS,
        # which the suite's endpoint settings do not cover.
        for page in self.clients.sns.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                    return str(topic["TopicArn"])
        return None

    def topic(self, name: str) -> str:
        arn = self.find_topic(name)
        if arn is not None:
            tags = self.clients.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
            self.require_tag("topic", name, {t["Key"]: t["Value"] for t in tags})
            self.note("topic", name, arn, created=False)
        else:
            arn = str(self.clients.sns.create_topic(Name=name, Tags=self.plan.tags())["TopicArn"])
            self.note("topic", name, arn, created=True)
        self.topic_arns[name] = arn
        return arn

    def queue_policy(self, queue_arn: str) -> dict[str, Any]:
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
                    "Condition": {"ArnEquals": {"aws:SourceArn": sorted(self.topic_arns.values())}},
                }
            ],
        }

    def queue(self) -> str:
        name = self.plan.queue
        sqs = self.clients.sqs
        try:
            url: str | None = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
        except ClientError as exc:
            if not is_gone(exc):
                raise
            url = None
        created = url is None
        if url is None:
            url = str(sqs.create_queue(QueueName=name, tags={TAG_KEY: self.plan.name})["QueueUrl"])
        else:
            self.require_tag("queue", name, sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])
        arn = str(attributes["Attributes"]["QueueArn"])
        self.queue_url = url
        self.note("queue", name, arn, created=created)
        wanted = self.queue_policy(arn)
        current = attributes["Attributes"].get("Policy")
        if current is None or json.loads(current) != wanted:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(wanted)})
            self.out(f"  set queue {name} policy: the two topics may send to it")
        else:
            self.out(f"  queue {name} policy already lets the two topics send")
        return arn

    def subscription(self, topic_arn: str, queue_arn: str) -> None:
        label = f"{topic_arn.rsplit(':', 1)[-1]} -> {self.plan.queue}"
        pages = self.clients.sns.get_paginator("list_subscriptions_by_topic")
        for page in pages.paginate(TopicArn=topic_arn):
            for sub in page.get("Subscriptions", []):
                confirmed = sub["SubscriptionArn"].count(":") == 6  # not "PendingConfirmation"
                if sub.get("Protocol") == "sqs" and sub.get("Endpoint") == queue_arn and confirmed:
                    self.note("subscription", label, sub["SubscriptionArn"], created=False)
                    return
        # Raw delivery stays off: the SNS envelope carries TopicArn, the only way to
        # tell success from error notifications arriving on the one shared queue.
        response = self.clients.sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True
        )
        self.note("subscription", label, str(response["SubscriptionArn"]), created=True)

    def _describe(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        try:
            return call()
        except ClientError as exc:
            if is_gone(exc):
                return None
            raise

    def _sagemaker_tags(self, arn: str) -> dict[str, str]:
        tags: dict[str, str] = {}
        for page in self.clients.sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
            tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        return tags

    def model(self) -> None:
        sm, plan = self.clients.sagemaker, self.plan
        found = self._describe(lambda: sm.describe_model(ModelName=plan.name))
        if found is None:
            arn = sm.create_model(
                ModelName=plan.name,
                PrimaryContainer=plan.primary_container(),
                ExecutionRoleArn=plan.role_arn,
                Tags=plan.tags(),
            )["ModelArn"]
            self.note("model", plan.name, str(arn), created=True)
            return
        self.require_tag("model", plan.name, self._sagemaker_tags(found["ModelArn"]))
        self.require_same(
            "model",
            plan.name,
            {"PrimaryContainer": plan.primary_container(), "ExecutionRoleArn": plan.role_arn},
            found,
        )
        self.note("model", plan.name, str(found["ModelArn"]), created=False)

    def endpoint_config(self) -> None:
        sm, plan = self.clients.sagemaker, self.plan
        async_config = plan.async_inference_config(
            self.topic_arns[plan.success_topic], self.topic_arns[plan.error_topic]
        )
        found = self._describe(lambda: sm.describe_endpoint_config(EndpointConfigName=plan.name))
        if found is None:
            arn = sm.create_endpoint_config(
                EndpointConfigName=plan.name,
                ProductionVariants=plan.production_variants(),
                AsyncInferenceConfig=async_config,
                Tags=plan.tags(),
            )["EndpointConfigArn"]
            self.note("endpoint-config", plan.name, str(arn), created=True)
            return
        self.require_tag(
            "endpoint-config", plan.name, self._sagemaker_tags(found["EndpointConfigArn"])
        )
        variants = found.get("ProductionVariants") or [{}]
        self.require_same(
            "endpoint-config",
            plan.name,
            {"Variant": plan.production_variants()[0], "AsyncInferenceConfig": async_config},
            {"Variant": variants[0], "AsyncInferenceConfig": found.get("AsyncInferenceConfig")},
        )
        self.note("endpoint-config", plan.name, str(found["EndpointConfigArn"]), created=False)

    def endpoint(self) -> None:
        sm, plan = self.clients.sagemaker, self.plan
        found = self._describe(lambda: sm.describe_endpoint(EndpointName=plan.name))
        if found is None:
            arn = sm.create_endpoint(
                EndpointName=plan.name, EndpointConfigName=plan.name, Tags=plan.tags()
            )["EndpointArn"]
            self.note("endpoint", plan.name, str(arn), created=True)
            return
        self.require_tag("endpoint", plan.name, self._sagemaker_tags(found["EndpointArn"]))
        self.require_same("endpoint", plan.name, {"EndpointConfigName": plan.name}, found)
        self.note("endpoint", plan.name, str(found["EndpointArn"]), created=False)


def _existing_target(path: Path, name: str) -> TargetFile | None:
    if not path.exists():
        return None
    try:
        existing = load_target_file(path)
    except TargetFileError as exc:
        raise DeployError(f"{exc} (deploy-probe updates this file)") from None
    recorded = existing.deployment
    if recorded is not None and recorded.tag_value != name and recorded.resources:
        # Overwriting would lose the only record of that other deployment.
        raise DeployError(
            f"{path} records deployment {recorded.tag_value!r}; run `conformance teardown "
            f"--target {path}` first, or pass another --target-file"
        )
    return existing


def deploy_probe(
    plan: ProbePlan,
    *,
    target_path: str | os.PathLike[str],
    region: str | None = None,
    wait_timeout: float = 1800.0,
    poll_interval: float = 15.0,
    session: boto3.Session | None = None,
    out: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> DeployResult:
    """Create or reuse the probe deployment, wait for InService, write the target file.

    ``wait_timeout=0`` returns without waiting. Raises ``DeployError``.
    """
    path = Path(target_path)
    existing = _existing_target(path, plan.name)
    endpoints, settings = endpoint_overrides(existing, path)
    clients = make_clients(
        region or (existing.region if existing else None),
        session,
        endpoints={k: v for k, v in endpoints.items() if k != "sagemaker_runtime"},
        endpoint_settings=settings,
    )
    deployer = _Deployer(plan, clients, path, existing, endpoints, out)
    out(
        f"deploy-probe: deployment {plan.name} in {clients.region} "
        f"(every resource tagged {TAG_KEY}={plan.name})"
    )
    with clean_errors(clients.endpoint_variables(), POLICY):
        deployer.check_bucket()
        deployer.save()  # before the first create: teardown must always have a record
        success = deployer.topic(plan.success_topic)
        error = deployer.topic(plan.error_topic)
        queue_arn = deployer.queue()
        deployer.subscription(success, queue_arn)
        deployer.subscription(error, queue_arn)
        deployer.model()
        deployer.endpoint_config()
        deployer.endpoint()
        out(f"  wrote target file {path}")
        status = "not waited for"
        if wait_timeout > 0:
            status = wait_for_endpoint(
                lambda: clients.sagemaker.describe_endpoint(EndpointName=plan.name),
                name=plan.name,
                timeout=wait_timeout,
                interval=poll_interval,
                out=out,
                clock=clock,
                sleep=sleep,
            )
    return DeployResult(tuple(deployer.resources), deployer.target(), path, status)
