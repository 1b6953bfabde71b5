"""What deploy-probe will create: names, tags and settings, checked before any call.

Every name derives from the deployment name, so a second run finds the same
resources (idempotence) and the IAM policy can be scoped to ``<name>*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conformance_deploy.errors import DeployError

TAG_KEY = "conformance:deployment"
DEFAULT_NAME = "conformance-probe"
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
VARIANT_NAME = "AllTraffic"
# One instance, always: the TTL check reads the probe's record of what it ran,
# and that record lives in one container; with two instances a request that
# expired on one could look "never run" only because it ran on the other.
INSTANCE_COUNT = 1
INCLUDE_INFERENCE_RESPONSE_IN = ("SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC")

# Lowercase only: SageMaker lowercases names inside its ARNs, and IAM matches ARNs
# case-sensitively, so a mixed-case name would escape the documented policies.
_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9]){0,39}$")
_BUCKET = re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_IMAGE = re.compile(
    r"^[a-z0-9][a-z0-9.\-]*(:\d+)?/[a-z0-9._/\-]+(:[\w.\-]{1,128}|@sha256:[0-9a-f]{64})?$"
)
_ROLE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without leading or trailing slash; may be empty

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        match = re.match(r"^s3://([^/]+)/?(.*)$", uri)
        if not match:
            raise DeployError(f"--bucket {uri!r}: expected s3://BUCKET or s3://BUCKET/prefix")
        bucket, prefix = match.group(1), match.group(2).strip("/")
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise DeployError(
                f"--bucket {uri!r}: {bucket!r} is not a valid S3 bucket name "
                "(3-63 lowercase letters, digits, dots, hyphens)"
            )
        if "//" in prefix:
            raise DeployError(f"--bucket {uri!r}: the prefix has an empty segment ('//')")
        return cls(bucket, prefix)

    def uri(self, *parts: str) -> str:
        path = "/".join(p for p in (self.prefix, *parts) if p)
        return f"s3://{self.bucket}/{path}" if path else f"s3://{self.bucket}"


@dataclass(frozen=True)
class ProbePlan:
    name: str
    image: str
    role_arn: str
    location: S3Location
    instance_type: str = DEFAULT_INSTANCE_TYPE
    max_concurrency: int = 1

    # names: the model, endpoint config and endpoint share the deployment name
    @property
    def success_topic(self) -> str:
        return f"{self.name}-success"

    @property
    def error_topic(self) -> str:
        return f"{self.name}-error"

    @property
    def queue(self) -> str:
        return f"{self.name}-notifications"

    @property
    def output_path(self) -> str:
        return self.location.uri(self.name, "output")

    @property
    def failure_path(self) -> str:
        return self.location.uri(self.name, "failure")

    @property
    def input_s3(self) -> str:
        return self.location.uri(self.name, "input") + "/"

    def tags(self) -> list[dict[str, str]]:
        return [{"Key": TAG_KEY, "Value": self.name}]

    def primary_container(self) -> dict[str, Any]:
        return {"Image": self.image}

    def production_variants(self) -> list[dict[str, Any]]:
        return [
            {
                "VariantName": VARIANT_NAME,
                "ModelName": self.name,
                "InstanceType": self.instance_type,
                "InitialInstanceCount": INSTANCE_COUNT,
            }
        ]

    def async_inference_config(self, success_arn: str, error_arn: str) -> dict[str, Any]:
        return {
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": self.max_concurrency},
            "OutputConfig": {
                "S3OutputPath": self.output_path,
                "S3FailurePath": self.failure_path,
                "NotificationConfig": {
                    "SuccessTopic": success_arn,
                    "ErrorTopic": error_arn,
                    "IncludeInferenceResponseIn": list(INCLUDE_INFERENCE_RESPONSE_IN),
                },
            },
        }


def make_plan(
    *,
    name: str,
    image: str,
    role_arn: str,
    bucket: str,
    instance_type: str = DEFAULT_INSTANCE_TYPE,
    max_concurrency: int = 1,
) -> ProbePlan:
    """Validate the command line before any AWS call; raises ``DeployError``."""
    if not _NAME.match(name):
        raise DeployError(
            f"--name {name!r}: use 1-40 lowercase letters, digits and single hyphens "
            "(SageMaker ARNs are lowercase; the suffixes -success/-notifications must fit)"
        )
    if not _IMAGE.match(image):
        raise DeployError(
            f"--image {image!r}: expected an image URI like "
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/conformance-probe:latest"
        )
    if not _ROLE.match(role_arn):
        raise DeployError(
            f"--role {role_arn!r}: expected an IAM role ARN like "
            "arn:aws:iam::123456789012:role/conformance-probe-execution"
        )
    if not _INSTANCE_TYPE.match(instance_type):
        raise DeployError(f"--instance-type {instance_type!r}: expected e.g. ml.m5.large")
    if not 1 <= max_concurrency <= 1000:
        raise DeployError(f"--max-concurrency {max_concurrency}: expected 1 to 1000")
    return ProbePlan(
        name=name,
        image=image,
        role_arn=role_arn,
        location=S3Location.parse(bucket),
        instance_type=instance_type,
        max_concurrency=max_concurrency,
    )
