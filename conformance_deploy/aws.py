"""The four AWS clients deploy-probe and teardown use, configured the botocore way.

Credentials, region, profile and per-service endpoints come from botocore's own
chain (``AWS_ENDPOINT_URL_<SERVICE>`` works natively in boto3 >= 1.28), so the
same command deploys to AWS or to moto on loopback.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from conformance.targetfile import Endpoints, TargetFile
from conformance_deploy.errors import DeployError

# Fail fast on an unreachable endpoint instead of botocore's default 5 slow retries,
# but keep standard-mode retries for throttling, which real AWS does under load.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=60,
    retries={"mode": "standard", "max_attempts": 3},
)

# boto3 client name -> the environment variable that overrides its endpoint.
ENDPOINT_VARIABLES = {
    "sagemaker": "AWS_ENDPOINT_URL_SAGEMAKER",
    "sns": "AWS_ENDPOINT_URL_SNS",
    "sqs": "AWS_ENDPOINT_URL_SQS",
    "s3": "AWS_ENDPOINT_URL_S3",
}


@dataclass(frozen=True)
class AwsClients:
    sagemaker: Any
    sns: Any
    sqs: Any
    s3: Any
    region: str
    # endpoint URL -> the setting that chose it, so errors name what to correct
    settings: Mapping[str, str] = field(default_factory=dict)

    def endpoint_variables(self) -> dict[str, str]:
        """endpoint URL -> the setting that sets it, for error messages."""
        found = {
            getattr(self, name).meta.endpoint_url: variable
            for name, variable in ENDPOINT_VARIABLES.items()
        }
        found.update(self.settings)
        return found


def make_clients(
    region: str | None = None,
    session: boto3.Session | None = None,
    *,
    endpoints: Mapping[str, str] | None = None,
    endpoint_settings: Mapping[str, str] | None = None,
) -> AwsClients:
    """Clients for ``region`` (else the configured one); raises ``DeployError``.

    ``endpoints`` (boto3 service name -> URL) come from a target file and win
    over ``AWS_ENDPOINT_URL_<SERVICE>``: the file is more specific than the
    environment. ``endpoint_settings`` maps each URL to the setting that chose it.
    """
    endpoints = endpoints or {}
    try:
        session = session or boto3.Session()
        region = region or session.region_name
        if not region:
            raise DeployError("no AWS region; pass --region or set AWS_REGION")
        made = {
            name: session.client(
                name, region_name=region, config=CLIENT_CONFIG, endpoint_url=endpoints.get(name)
            )
            for name in ENDPOINT_VARIABLES
        }
    except ValueError as exc:
        # botocore raises ValueError for a malformed endpoint URL ("Invalid endpoint").
        raise DeployError(f"{exc}; check the AWS_ENDPOINT_URL_* variables") from None
    except BotoCoreError as exc:  # e.g. InvalidRegionError, ProfileNotFound
        raise DeployError(f"{exc}; check --region, AWS_REGION and AWS_PROFILE") from None
    return AwsClients(region=region, settings=dict(endpoint_settings or {}), **made)


def endpoint_overrides(
    existing: TargetFile | None, path: Path
) -> tuple[dict[str, str], dict[str, str]]:
    """The endpoints in use: the target file's ``[endpoints]`` over
    ``AWS_ENDPOINT_URL_<SERVICE>``, as (field name -> URL, URL -> the setting)."""
    from_file = existing.endpoints if existing and existing.endpoints else Endpoints()
    chosen: dict[str, str] = {}
    settings: dict[str, str] = {}
    for service in (f.name for f in dataclasses.fields(Endpoints)):
        variable = f"AWS_ENDPOINT_URL_{service.upper()}"
        url = getattr(from_file, service)
        setting = f"[endpoints].{service} in {path}"
        if not url:
            url, setting = os.environ.get(variable), variable
        if url:
            chosen[service] = url
            settings[url.rstrip("/")] = setting
    return chosen, settings
