"""`conformance serve` for an app's own tests: the embedded stack as a pytest fixture.

`sagemaker_async_stack` (conformance/fixtures.py) starts the stack once per test
session and yields a `SageMakerAsyncStack`: the endpoint it provisioned, where its
outputs and failures land, boto3 clients already pointed at it, and the same
`AWS_*` settings `conformance serve` prints, for code that builds its own clients.
The runtime is the reference (faithful to the contract the suite checks); S3, SNS,
SQS and the SageMaker control plane are moto's (see the README).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from conformance.embedded import start_embedded

if TYPE_CHECKING:
    from reference.stack import StackSettings

SERVICES = {
    "sagemaker_runtime": "sagemaker-runtime",
    "sagemaker": "sagemaker",
    "s3": "s3",
    "sns": "sns",
    "sqs": "sqs",
}


@dataclass
class SageMakerAsyncStack:
    """The running stack, seen from an app's tests."""

    settings: StackSettings
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def endpoint_name(self) -> str:
        return self.settings.endpoint_name

    @property
    def bucket(self) -> str:
        """A bucket the app may write its inputs to."""
        return self.settings.input_s3.removeprefix("s3://").split("/", 1)[0]

    @property
    def input_s3(self) -> str:
        return self.settings.input_s3

    @property
    def output_path(self) -> str:
        return self.settings.output_path

    @property
    def failure_path(self) -> str:
        return self.settings.failure_path

    @property
    def env(self) -> dict[str, str]:
        """What `conformance serve` exports: AWS_ENDPOINT_URL_*, credentials, region."""
        return dict(self.settings.env)

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (boto3's name, e.g. "sagemaker-runtime")."""
        if service not in self._clients:
            key = service.replace("-", "_")
            env_name = f"AWS_ENDPOINT_URL_{key.upper()}"
            self._clients[service] = boto3.session.Session(
                aws_access_key_id=self.settings.access_key,
                aws_secret_access_key=self.settings.secret_key,
                region_name=self.settings.region,
            ).client(
                service,
                endpoint_url=self.settings.env[env_name],
                config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
            )
        return self._clients[service]

    @property
    def runtime(self) -> Any:
        return self.client("sagemaker-runtime")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def sagemaker(self) -> Any:
        return self.client("sagemaker")

    @contextlib.contextmanager
    def environment(self) -> Iterator[dict[str, str]]:
        """The stack's settings in ``os.environ`` for the block (for code that calls
        ``boto3.client(...)`` itself); the previous values come back afterwards."""
        saved = {name: os.environ.get(name) for name in self.settings.env}
        os.environ.update(self.settings.env)
        try:
            yield self.env
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@contextlib.contextmanager
def running_stack(**options: Any) -> Iterator[SageMakerAsyncStack]:
    """Start the embedded stack (``EmbeddedStack(**options)``), yield it, stop it."""
    stack, settings = start_embedded(**options)
    try:
        yield SageMakerAsyncStack(settings)
    finally:
        stack.stop()
