"""The embedded stack: moto (S3, SNS, SQS, SageMaker control plane), the probe and
the reference service, on free loopback ports, with one probe endpoint provisioned.

`start()` returns `StackSettings`, whose `env` holds exactly what
`conformance serve` prints as `export` lines: with those in the environment,
plain boto3 talks to the stack as it would to AWS.
"""

from __future__ import annotations

import logging
import secrets
import string
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference.parts import DEFAULT_PARTS, Parts
from reference.probe import ProbeServer
from reference.service import Backends, ReferenceService
from reference.service_process import ServiceProcess

PROBE_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/conformance-probe:latest"
ROLE_ARN = "arn:aws:iam::123456789012:role/conformance-probe"


def random_credentials() -> tuple[str, str]:
    upper = string.ascii_uppercase + string.digits
    key = "AKIA" + "".join(secrets.choice(upper) for _ in range(16))
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
    return key, secret


@dataclass(frozen=True)
class StackSettings:
    env: dict[str, str]
    endpoint_name: str
    input_s3: str
    clock_scale: float
    region: str
    access_key: str
    secret_key: str
    # Beyond the exported settings: what the stack provisioned, for tests.
    output_path: str = ""
    failure_path: str = ""
    success_topic_arn: str = ""
    error_topic_arn: str = ""
    service_url: str = ""
    moto_url: str = ""
    probe_url: str = ""
    max_concurrency: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # An endpoint of the same config for the suite's slow scenarios (not exported).
    scenario_endpoint_name: str = ""
    # With `service_process=True`: the file holding the service's pid (it changes on
    # restart) and the SQS queue accepted jobs wait in.
    service_pidfile: str = ""
    durable_queue_url: str = ""


class EmbeddedStack:
    def __init__(
        self,
        *,
        clock_scale: float = 0.05,
        parts: Parts | None = None,
        credentials: tuple[str, str] | None = None,
        max_concurrency: int = 2,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        shutdown_grace: float = 2.0,
        pickup_delay: float = 0.0,
        service_process: bool = False,
        durable_visibility: float = 30.0,
    ) -> None:
        """``service_process``: run the reference service as a child process, restarted
        when it dies, with accepted jobs in a durable SQS queue (``reference.durable``):
        a SIGKILL of that process loses nothing. ``parts`` must then be the default."""
        self.clock_scale = clock_scale
        # Real seconds each accepted request waits before a worker may take it.
        self.pickup_delay = pickup_delay
        self.parts = parts or DEFAULT_PARTS
        self.access_key, self.secret_key = credentials or random_credentials()
        self.max_concurrency = max_concurrency
        self.region = region
        self.host = host
        self.shutdown_grace = shutdown_grace
        self.service_process = service_process
        self.durable_visibility = durable_visibility
        if service_process and parts not in (None, DEFAULT_PARTS):
            raise ValueError("parts: a service process is always built from the default parts")
        self.service_url = ""
        self.process: ServiceProcess | None = None
        self._queue_url = ""
        self.name = "conformance-" + secrets.token_hex(4)
        self._stoppers: list[Callable[[], None]] = []
        self.settings: StackSettings | None = None
        self.service: ReferenceService | None = None
        self.probe: ProbeServer | None = None

    def __enter__(self) -> StackSettings:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> StackSettings:
        if self.settings is not None:
            return self.settings
        began = time.perf_counter()
        timings: dict[str, float] = {}
        try:
            moto_url = self._start_moto()
            timings["moto"] = time.perf_counter() - began
            self.probe = ProbeServer(self.host)
            self.probe.start()
            self._stoppers.append(self.probe.stop)
            provisioned = self._provision(moto_url)
            timings["provision"] = time.perf_counter() - began
            if self.service_process:
                self.process = self._start_service_process(moto_url)
                self.service_url = self.process.url
            else:
                self.service = self._start_service(moto_url)
                self.service_url = self.service.url
            timings["total"] = time.perf_counter() - began
        except BaseException:
            self.stop()
            raise
        self.settings = self._settings(moto_url, provisioned, timings)
        return self.settings

    def stop(self) -> None:
        # Reverse order: the service's last failures still need S3 and SNS.
        while self._stoppers:
            self._stoppers.pop()()
        self.settings = None

    # -- pieces ------------------------------------------------------------------

    def _start_moto(self) -> str:
        from moto.server import ThreadedMotoServer  # heavy; only when a stack starts

        from reference import moto_fixes

        # moto answers DataCaptureConfig: {} that model-validating clients reject.
        moto_fixes.apply()
        # werkzeug logs every request moto serves to stderr; keep the console usable.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        server.start()

        def stop() -> None:
            server.stop()
            # shutdown() ends serve_forever but keeps the socket; free the port.
            server._server.server_close()  # type: ignore[union-attr]

        self._stoppers.append(stop)
        host, port = server.get_host_and_port()
        return f"http://{host}:{port}"

    def _client(self, service: str, moto_url: str) -> Any:
        backends = Backends({service: moto_url}, self.access_key, self.secret_key)
        return backends.client(service, self.region)

    def _provision(self, moto_url: str) -> dict[str, str]:
        bucket = self.name
        # Three services provisioned in parallel: each moto backend warms up on
        # its first request, and that dominates start time.
        with ThreadPoolExecutor(3) as pool:
            s3 = pool.submit(self._provision_s3, moto_url, bucket)
            topics = pool.submit(self._provision_topics, moto_url)
            model = pool.submit(self._provision_model, moto_url)
            s3.result()
            success_arn, error_arn = topics.result()
            model.result()
        output_path = f"s3://{bucket}/async-output"
        failure_path = f"s3://{bucket}/async-failure"
        sagemaker = self._client("sagemaker", moto_url)
        sagemaker.create_endpoint_config(
            EndpointConfigName=self.name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": self.name,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
            AsyncInferenceConfig={
                "ClientConfig": {"MaxConcurrentInvocationsPerInstance": self.max_concurrency},
                "OutputConfig": {
                    "S3OutputPath": output_path,
                    "S3FailurePath": failure_path,
                    "NotificationConfig": {
                        "SuccessTopic": success_arn,
                        "ErrorTopic": error_arn,
                        "IncludeInferenceResponseIn": [
                            "SUCCESS_NOTIFICATION_TOPIC",
                            "ERROR_NOTIFICATION_TOPIC",
                        ],
                    },
                },
            },
        )
        sagemaker.create_endpoint(EndpointName=self.name, EndpointConfigName=self.name)
        # A second endpoint on the same config, with its own queue: the suite's slow
        # scenarios saturate it while every other check runs on the first.
        sagemaker.create_endpoint(
            EndpointName=self.scenario_endpoint_name, EndpointConfigName=self.name
        )
        return {
            "bucket": bucket,
            "output_path": output_path,
            "failure_path": failure_path,
            "success_arn": success_arn,
            "error_arn": error_arn,
        }

    @property
    def scenario_endpoint_name(self) -> str:
        return f"{self.name}-scenarios"

    def _provision_s3(self, moto_url: str, bucket: str) -> None:
        self._client("s3", moto_url).create_bucket(Bucket=bucket)

    def _provision_topics(self, moto_url: str) -> tuple[str, str]:
        sns = self._client("sns", moto_url)
        success = sns.create_topic(Name=f"{self.name}-success")["TopicArn"]
        error = sns.create_topic(Name=f"{self.name}-error")["TopicArn"]
        return success, error

    def _provision_model(self, moto_url: str) -> None:
        self._client("sagemaker", moto_url).create_model(
            ModelName=self.name,
            ExecutionRoleArn=ROLE_ARN,
            PrimaryContainer={"Image": PROBE_IMAGE},
        )

    def _start_service(self, moto_url: str) -> ReferenceService:
        assert self.probe is not None
        service = ReferenceService(
            credentials={self.access_key: self.secret_key},
            containers={PROBE_IMAGE: self.probe.url},
            host=self.host,
            region=self.region,
            clock_scale=self.clock_scale,
            parts=self.parts,
            backends=Backends(
                {"sagemaker": moto_url, "s3": moto_url, "sns": moto_url},
                self.access_key,
                self.secret_key,
            ),
            shutdown_grace=self.shutdown_grace,
            pickup_delay=self.pickup_delay,
        )
        service.start()
        self._stoppers.append(service.stop)
        return service

    def _start_service_process(self, moto_url: str) -> ServiceProcess:
        import tempfile

        assert self.probe is not None
        workdir = Path(tempfile.mkdtemp(prefix="reference-service-"))
        # SQLite, not moto's SQS: moto scans every message per receive (reference.durable).
        self._queue_url = f"sqlite://{workdir / 'jobs.sqlite'}"
        process = ServiceProcess(
            [
                "--region", self.region, "--clock-scale", str(self.clock_scale),
                "--credential", f"{self.access_key}={self.secret_key}",
                "--container", f"{PROBE_IMAGE}={self.probe.url}",
                "--shutdown-grace", str(self.shutdown_grace),
                "--durable-queue-url", self._queue_url,
                "--durable-visibility", str(self.durable_visibility),
            ],
            env={
                **{f"AWS_ENDPOINT_URL_{s}": moto_url for s in ("SAGEMAKER", "S3", "SNS", "SQS")},
                "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": self.region,
            },
            host=self.host,
            workdir=workdir,
        )
        process.start()
        self._stoppers.append(lambda: process.stop(self.shutdown_grace))
        return process

    def _settings(
        self, moto_url: str, provisioned: dict[str, str], timings: dict[str, float]
    ) -> StackSettings:
        assert self.service_url and self.probe is not None
        input_s3 = f"s3://{provisioned['bucket']}/inputs/"
        env = {
            "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": self.service_url,
            "AWS_ENDPOINT_URL_SAGEMAKER": moto_url,
            "AWS_ENDPOINT_URL_S3": moto_url,
            "AWS_ENDPOINT_URL_SNS": moto_url,
            "AWS_ENDPOINT_URL_SQS": moto_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "CONFORMANCE_ENDPOINT_NAME": self.name,
            "CONFORMANCE_INPUT_S3": input_s3,
        }
        return StackSettings(
            env=env,
            endpoint_name=self.name,
            scenario_endpoint_name=self.scenario_endpoint_name,
            input_s3=input_s3,
            clock_scale=self.clock_scale,
            region=self.region,
            access_key=self.access_key,
            secret_key=self.secret_key,
            output_path=provisioned["output_path"],
            failure_path=provisioned["failure_path"],
            success_topic_arn=provisioned["success_arn"],
            error_topic_arn=provisioned["error_arn"],
            service_url=self.service_url,
            moto_url=moto_url,
            probe_url=self.probe.url,
            max_concurrency=self.max_concurrency,
            timings=timings,
            service_pidfile=str(self.process.pidfile) if self.process else "",
            durable_queue_url=self._queue_url,
        )
