"""Endpoint descriptions from the SageMaker control plane, cached briefly.

DescribeEndpoint -> DescribeEndpointConfig -> DescribeModel, as blocking boto3
calls on an executor. Lookups of one name share a single in-flight call, so a
burst of a thousand requests for a cold endpoint costs one round of describes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from reference.endpoints import EndpointDescription, S3Uri
from reference.errors import ServiceError, validation_error

ACCEPTING_STATUSES = frozenset({"InService", "Updating", "SystemUpdating"})


class ContainerMap:
    """Maps a model's image URI to the base URL of a running container.

    A real deployment would start the image; the reference is told where each
    image already runs (`{"image-uri": "http://127.0.0.1:8080"}`, `"*"` = any).
    """

    def __init__(self, urls: Mapping[str, str]) -> None:
        self._urls = dict(urls)

    def url_for(self, image: str) -> str | None:
        return self._urls.get(image) or self._urls.get("*")


@dataclass
class _Entry:
    expires: float
    value: EndpointDescription | ServiceError


class EndpointCatalog:
    def __init__(
        self,
        sagemaker: Any,  # a boto3 "sagemaker" client
        containers: ContainerMap,
        executor: Executor,
        *,
        ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sagemaker = sagemaker
        self._containers = containers
        self._executor = executor
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._inflight: dict[str, asyncio.Future[EndpointDescription | ServiceError]] = {}

    async def describe(self, name: str) -> EndpointDescription:
        """The endpoint's description, or raise a 400 ValidationError `ServiceError`."""
        entry = self._entries.get(name)
        if entry is not None and entry.expires > self._clock():
            return _unwrap(entry.value)
        future = self._inflight.get(name)
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(self._executor, self._lookup, name)
            self._inflight[name] = future
            try:
                value = await future
            finally:
                del self._inflight[name]
            # A miss is remembered briefly only, so a freshly created endpoint shows up.
            ttl = self._ttl if isinstance(value, EndpointDescription) else min(self._ttl, 0.5)
            self._entries[name] = _Entry(self._clock() + ttl, value)
            return _unwrap(value)
        return _unwrap(await asyncio.shield(future))

    def _lookup(self, name: str) -> EndpointDescription | ServiceError:
        try:
            return self._describe(name)
        except ServiceError as exc:
            return exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"ValidationException", "ResourceNotFound", "ResourceNotFoundException"}:
                return validation_error(f"Endpoint {name} not found.")
            raise

    def _describe(self, name: str) -> EndpointDescription:
        endpoint = self._sagemaker.describe_endpoint(EndpointName=name)
        status = endpoint.get("EndpointStatus", "InService")
        if status not in ACCEPTING_STATUSES:
            raise validation_error(f"Endpoint {name} is not in service (status {status}).")
        config_name = endpoint["EndpointConfigName"]
        config = self._sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        async_config = config.get("AsyncInferenceConfig")
        if not async_config:
            raise validation_error(
                f"Endpoint {name} is not configured for asynchronous inference."
            )
        variants = config.get("ProductionVariants") or []
        if not variants:
            raise validation_error(f"Endpoint {name} has no production variant.")
        variant = variants[0]
        model = self._sagemaker.describe_model(ModelName=variant["ModelName"])
        image = _image(model)
        url = self._containers.url_for(image)
        if url is None:
            raise validation_error(f"Endpoint {name}: no container runs image {image}.")
        return _description(name, config_name, endpoint, variant, async_config, image, url)


def _unwrap(value: EndpointDescription | ServiceError) -> EndpointDescription:
    if isinstance(value, ServiceError):
        raise value
    return value


def _image(model: Mapping[str, Any]) -> str:
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    return str(container.get("Image", ""))


def _description(
    name: str,
    config_name: str,
    endpoint: Mapping[str, Any],
    variant: Mapping[str, Any],
    async_config: Mapping[str, Any],
    image: str,
    url: str,
) -> EndpointDescription:
    output = async_config.get("OutputConfig", {})
    notification = output.get("NotificationConfig", {})
    client = async_config.get("ClientConfig", {})
    failure = output.get("S3FailurePath")
    return EndpointDescription(
        name=name,
        config_name=config_name,
        output_path=S3Uri.parse(output["S3OutputPath"]),
        failure_path=S3Uri.parse(failure) if failure else None,
        success_topic=notification.get("SuccessTopic"),
        error_topic=notification.get("ErrorTopic"),
        include_response_in=frozenset(notification.get("IncludeInferenceResponseIn", [])),
        max_concurrent_per_instance=client.get("MaxConcurrentInvocationsPerInstance"),
        instance_count=_instance_count(endpoint, variant),
        image=image,
        container_url=url.rstrip("/"),
    )


def _instance_count(endpoint: Mapping[str, Any], variant: Mapping[str, Any]) -> int:
    for live in endpoint.get("ProductionVariants") or []:
        if live.get("VariantName") == variant.get("VariantName"):
            count = live.get("CurrentInstanceCount")
            if isinstance(count, int):
                return count
    count = variant.get("InitialInstanceCount", 1)
    return count if isinstance(count, int) else 1
