"""One run against one target: clients, the endpoint's async config, inputs, clean-up.

Everything the suite writes lives under a per-run prefix (inputs, its SQS queue)
and is removed at the end, together with the outcome objects the target wrote for
the suite's own requests; nothing else is ever written or deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from conformance import recording, sensitive
from conformance.api_calls import ApiCallCounter
from conformance.client import Exchange, Invoker, Signing, TargetMisbehaved
from conformance.endpoint_config import SAFE_TIMEOUT_SECONDS, SAFE_TTL_SECONDS, AsyncConfig, Timing
from conformance.observe import NotificationInbox, Outcome, S3Observer
from conformance.s3uri import parse_location
from conformance.target import ConfigurationError, Target
from conformance.watcher import OutcomeWatcher, Watch


@dataclass
class RunResources:
    """What this run created, so clean-up removes exactly that."""

    input_keys: list[str] = field(default_factory=list)
    # (output, failure) locations the target announced for the run's accepted requests
    outcomes: list[tuple[str | None, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ConformanceSession:
    """Clients and state for one run against one target."""

    def __init__(self, target: Target, *, credentials_env: Mapping[str, str] | None = None) -> None:
        self.target = target
        self.timing = Timing(target.clock_scale, target.outcome_deadline)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        # "conformance-run-" is the prefix the suite-run IAM policy grants (docs/iam-policy.json).
        suffix = f"-{worker}" if worker else ""
        self.run_id = f"conformance-run-{stamp}-{uuid.uuid4().hex[:6]}{suffix}"
        self.run_prefix = "/".join(p for p in (target.input_prefix, self.run_id) if p)
        self._boto = self._boto_session(credentials_env)
        self.api_calls = ApiCallCounter()
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=20,
        )
        self.s3 = self._client("s3", config)
        self.sns = self._client("sns", config)
        self.sqs = self._client("sqs", config)
        self.sagemaker = self._client("sagemaker", config)
        credentials = self._boto.get_credentials()
        if credentials is None:
            raise ConfigurationError(
                "no AWS credentials found: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or AWS_PROFILE naming a profile with credentials"
            )
        frozen = credentials.get_frozen_credentials()
        for secret in (frozen.access_key, frozen.secret_key, frozen.token):
            sensitive.register(secret)
        self.invoker = Invoker(
            endpoint_url=self.runtime_url,
            region=target.region,
            credentials=credentials,
        )
        self.observer = S3Observer(self.s3)
        self.watcher = OutcomeWatcher(self.observer, self.s3)
        self.resources = RunResources()
        self.async_config: AsyncConfig | None = None
        self.inbox: NotificationInbox | None = None
        self._unresponsive: TargetMisbehaved | None = None
        # Set when slow scenarios start: every request may then queue behind them.
        self.saturating = False
        self.used_inference_ids: set[str] = set()
        self.scenario_endpoint = target.scenario_endpoint_name or target.endpoint_name
        self.scenario_config: AsyncConfig | None = None

    @property
    def outcome_deadline(self) -> float:
        if self.saturating:
            return self.timing.saturated_outcome_deadline
        return self.timing.outcome_base

    # -- set-up -----------------------------------------------------------------

    def _boto_session(self, credentials_env: Mapping[str, str] | None) -> boto3.Session:
        if credentials_env:
            return boto3.Session(
                aws_access_key_id=credentials_env.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=credentials_env.get("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=credentials_env.get("AWS_SESSION_TOKEN"),
                region_name=self.target.region,
            )
        return boto3.Session(region_name=self.target.region)

    def _client(self, service: str, config: Config) -> Any:
        return self.api_calls.attach(
            self._boto.client(
                service, endpoint_url=self.target.endpoint_url(service), config=config
            )
        )

    @property
    def runtime_url(self) -> str:
        return self.target.endpoint_url("sagemaker_runtime") or (
            f"https://runtime.sagemaker.{self.target.region}.amazonaws.com"
        )

    def preflight(self) -> None:
        """Check everything a run needs, failing with one message that says what to fix."""
        self._check_reachable(self.runtime_url, "the SageMaker Runtime endpoint")
        self.async_config = self._read_async_config()
        self.scenario_config = self.async_config
        if self.scenario_endpoint != self.target.endpoint_name:
            self.scenario_config = self._read_async_config(self.scenario_endpoint)
        self._check_input_writable()
        if self.target.claims("notifications"):
            topics = [self.async_config.success_topic, self.async_config.error_topic]
            if any(topics) or self.target.queue_url:
                self.inbox = NotificationInbox(
                    sqs=self.sqs,
                    sns=self.sns,
                    topics=[t for t in topics if t],
                    queue_name=self.run_id[:80],
                    queue_url=self.target.queue_url,
                )
                try:
                    self.inbox.open()
                except (ClientError, BotoCoreError) as exc:
                    raise ConfigurationError(
                        f"cannot subscribe an SQS queue to the endpoint's topics: {exc}. The suite "
                        "needs sqs:CreateQueue/SetQueueAttributes and sns:Subscribe, or a queue "
                        "named in the target file's [notifications] queue_url"
                    ) from exc

    def _check_reachable(self, url: str, what: str) -> None:
        parsed = urlparse(url)
        host = parsed.hostname or ""
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            with socket.create_connection((host, port), timeout=5):
                pass
        except OSError as exc:
            raise ConfigurationError(
                f"cannot reach {what} at {url}: {exc}. Check the URL "
                "(AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME or the target file's [endpoints]) "
                "and that the service is running"
            ) from exc

    def _read_async_config(self, name: str | None = None) -> AsyncConfig:
        name = name or self.target.endpoint_name
        try:
            endpoint = self.sagemaker.describe_endpoint(EndpointName=name)
            config = self.sagemaker.describe_endpoint_config(
                EndpointConfigName=endpoint["EndpointConfigName"]
            )
        except NoCredentialsError as exc:
            raise ConfigurationError(
                "no AWS credentials found: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or AWS_PROFILE"
            ) from exc
        except (ClientError, BotoCoreError) as exc:
            if self.target.file_async_config:
                return self._file_async_config(f"control plane did not answer: {exc}")
            raise ConfigurationError(
                f"cannot describe endpoint {name!r} through the SageMaker control plane "
                f"({self.target.endpoint_url('sagemaker') or 'AWS default'}): {exc}. "
                "Create the endpoint (conformance deploy-probe), fix --endpoint-name, or give "
                "its async config in the target file's [async_config] section"
            ) from exc
        async_config = config.get("AsyncInferenceConfig")
        if not async_config:
            raise ConfigurationError(
                f"endpoint {name!r} has no AsyncInferenceConfig: it cannot serve "
                "InvokeEndpointAsync; point the suite at an asynchronous endpoint"
            )
        output = async_config.get("OutputConfig", {})
        notification = output.get("NotificationConfig", {})
        client = async_config.get("ClientConfig", {})
        variants = endpoint.get("ProductionVariants") or config.get("ProductionVariants") or [{}]
        instances = sum(
            int(v.get("CurrentInstanceCount") or v.get("InitialInstanceCount") or 1)
            for v in variants
        )
        return AsyncConfig(
            s3_output_path=output.get("S3OutputPath", ""),
            s3_failure_path=output.get("S3FailurePath"),
            success_topic=notification.get("SuccessTopic"),
            error_topic=notification.get("ErrorTopic"),
            include_inference_response_in=tuple(notification.get("IncludeInferenceResponseIn", [])),
            max_concurrent_invocations_per_instance=int(
                client.get("MaxConcurrentInvocationsPerInstance", 1)
            ),
            instance_count=max(1, instances),
            source="control-plane",
        )

    def _file_async_config(self, why: str) -> AsyncConfig:
        values = dict(self.target.file_async_config or {})
        if not values.get("s3_output_path"):
            raise ConfigurationError(
                f"{why}; and the target file's [async_config] has no s3_output_path"
            )
        return AsyncConfig(
            s3_output_path=str(values["s3_output_path"]),
            s3_failure_path=values.get("s3_failure_path"),
            success_topic=values.get("success_topic"),
            error_topic=values.get("error_topic"),
            include_inference_response_in=tuple(values.get("include_inference_response_in") or ()),
            max_concurrent_invocations_per_instance=int(
                values.get("max_concurrent_invocations_per_instance") or 1
            ),
            instance_count=int(values.get("instance_count") or 1),
            source="target-file",
        )

    def _check_input_writable(self) -> None:
        key = f"{self.run_prefix}/preflight"
        try:
            self.s3.put_object(Bucket=self.target.input_bucket, Key=key, Body=b"preflight")
            self.s3.delete_object(Bucket=self.target.input_bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise ConfigurationError(
                f"cannot write to s3://{self.target.input_bucket}/{self.run_prefix}/: {exc}. "
                "The suite writes its inputs under input_s3; grant s3:PutObject and "
                "s3:DeleteObject there or choose another --input-s3"
            ) from exc

    # -- the run ----------------------------------------------------------------

    def put_input(self, payload: bytes, *, name: str | None = None) -> str:
        """Upload ``payload`` under the run prefix; its s3:// URI."""
        key = f"{self.run_prefix}/inputs/{name or uuid.uuid4().hex}"
        self.s3.put_object(Bucket=self.target.input_bucket, Key=key, Body=payload)
        with self.resources.lock:
            self.resources.input_keys.append(key)
        uri = f"s3://{self.target.input_bucket}/{key}"
        recording.record_input(self, uri, payload)
        return uri

    def invoke(
        self,
        params: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        signing: Signing | None = None,
    ) -> Exchange:
        """Send one request built from boto3-style ``params``."""
        if isinstance(params.get("CustomAttributes"), str):
            sensitive.register(params["CustomAttributes"])
        request = self.invoker.serialize(params, extra_headers=extra_headers)
        return self.send(request, signing=signing or Signing(), params=dict(params))

    def send(
        self, request: AWSRequest, *, signing: Signing | None = None, params: dict[str, Any]
    ) -> Exchange:
        """Send a built request; remember what it was accepted with, for clean-up."""
        if self._unresponsive is not None:
            hung = self._unresponsive
            raise TargetMisbehaved(
                f"the target stopped answering earlier in this run: {hung.observed}",
                request=hung.request, deadline=hung.deadline, elapsed=0.0,
            )
        inference_id = _header(request, "X-Amzn-SageMaker-Inference-Id")
        if inference_id:
            # Sent is used: a target may remember even the IDs of requests it rejected.
            with self.resources.lock:
                self.used_inference_ids.add(inference_id)
        try:
            exchange = self.invoker.send(request, signing=signing or Signing(), params=params)
        except TargetMisbehaved as exc:
            if exc.elapsed >= exc.deadline:
                # One hang is enough: later checks fail fast instead of each waiting.
                self._unresponsive = exc
            raise
        recording.record_exchange(self, exchange, signing)
        if 200 <= exchange.status < 300:
            with self.resources.lock:
                self.resources.outcomes.append(
                    (exchange.output_location, exchange.failure_location)
                )
        return exchange

    def inference_id_used(self, inference_id: str | None) -> bool:
        """Was ``inference_id`` already sent in this run? Whether a target may
        reject a reused InferenceId is not settled (FACTS [open]), so checks that
        want a 202 do not reuse one."""
        with self.resources.lock:
            return inference_id is not None and inference_id in self.used_inference_ids

    def invoke_probe(
        self,
        payload: bytes,
        *,
        inline: bool = False,
        extra_params: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Invoke the endpoint with ``payload`` (from S3, or inline) and safe TTL/timeout."""
        params: dict[str, Any] = {
            "EndpointName": self.target.endpoint_name,
            "ContentType": "application/json",
            "RequestTTLSeconds": SAFE_TTL_SECONDS,
        }
        if self.revision_has("2023-01"):
            params["InvocationTimeoutSeconds"] = SAFE_TIMEOUT_SECONDS
        if inline:
            params["Body"] = payload
        else:
            params["InputLocation"] = self.put_input(payload)
        params.update(extra_params or {})
        return self.invoke(params, extra_headers=extra_headers)

    def watch(self, exchange: Exchange, *, deadline: float | None = None) -> Watch:
        """Start looking for ``exchange``'s outcome now (the session's one watcher)."""
        return self.watcher.watch(exchange, deadline=deadline or self.outcome_deadline)

    def await_outcomes(self, watches: list[Watch]) -> list[Outcome]:
        """The outcomes of requests watched earlier, once each settled."""
        outcomes = self.watcher.wait(watches)
        recording.record_outcomes([w.exchange for w in watches], outcomes)
        return outcomes

    def wait_for_outcome(self, exchange: Exchange, *, deadline: float | None = None) -> Outcome:
        return self.wait_for_outcomes([exchange], deadline=deadline)[0]

    def wait_for_outcomes(
        self, exchanges: list[Exchange], *, deadline: float | None = None
    ) -> list[Outcome]:
        """Wait for every exchange's outcome at once; each is judged after the
        same deadline, counted from now."""
        return self.await_outcomes([self.watch(e, deadline=deadline) for e in exchanges])

    def revision_has(self, introduced: str) -> bool:
        from spec.revisions import includes

        return includes(self.target.revision, introduced)

    # -- clean-up ---------------------------------------------------------------

    def close(self) -> dict[str, int]:
        """Remove what the run created; counts of what was removed."""
        removed = {"inputs": 0, "outcomes": 0}
        if self.inbox is not None:
            self.inbox.close()
        with self.resources.lock:
            keys = list(self.resources.input_keys)
            outcomes = list(self.resources.outcomes)
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            try:
                self.s3.delete_objects(
                    Bucket=self.target.input_bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
                removed["inputs"] += len(batch)
            except (ClientError, BotoCoreError):
                pass
        removed["outcomes"] = self._remove_outcomes(outcomes)
        self.invoker.close()
        return removed

    def _remove_outcomes(self, outcomes: list[tuple[str | None, str | None]]) -> int:
        """Delete the outcomes of the run's requests, waiting (bounded) for late ones.

        Requests whose outcome no check waited for may still be running; deleting
        before they land would leave their objects behind. The watcher looks for them
        all at once (listings, not one request per object); deletes go in batches.
        """
        allowed = [p for p in self._outcome_prefixes() if p]

        def ours(uri: str | None) -> str | None:
            # Only where the endpoint config says outcomes go: a target that wrote
            # elsewhere does not get the suite deleting there.
            location = parse_location(uri)
            if location is None or not any(location.is_under(p) for p in allowed):
                return None
            return uri

        pairs = [(ours(out), ours(fail)) for out, fail in outcomes]
        pairs = [pair for pair in pairs if any(pair)]
        deadline = 0.0 if self._unresponsive else self.timing.outcome_base
        watched = [
            self.watcher.watch_locations(out, fail, deadline=deadline)
            for out, fail in pairs
            if not self._seen_landed(out, fail)
        ]
        self.watcher.wait(watched)
        self.watcher.close()
        by_bucket: dict[str, list[str]] = {}
        for pair in pairs:
            for uri in pair:
                location = parse_location(uri)
                if location is not None and location.key:
                    by_bucket.setdefault(location.bucket, []).append(location.key)
        removed = 0
        for bucket, keys in by_bucket.items():
            for start in range(0, len(keys), 1000):
                batch = keys[start : start + 1000]
                try:
                    answer = self.s3.delete_objects(
                        Bucket=bucket,
                        Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                    )
                except (ClientError, BotoCoreError):
                    continue
                removed += len(batch) - len(answer.get("Errors") or [])
        return removed

    def _seen_landed(self, output: str | None, failure: str | None) -> bool:
        return any(parse_location(uri) in self.watcher.landed for uri in (output, failure) if uri)

    def _outcome_prefixes(self) -> list[str]:
        if self.async_config is None:
            return []
        return [self.async_config.s3_output_path, self.async_config.s3_failure_path or ""]


def _header(request: AWSRequest, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
