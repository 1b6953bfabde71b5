"""What the service knows about an endpoint, as read from the SageMaker control plane."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str  # no leading slash; may be "" (bucket root) or end with "/"

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {uri!r}")
        bucket, _, key = uri[len("s3://") :].partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {uri!r}")
        return cls(bucket, key)

    def join(self, *names: str) -> S3Uri:
        parts = [self.key.rstrip("/")] if self.key.strip("/") else []
        parts.extend(name.strip("/") for name in names if name.strip("/"))
        return S3Uri(self.bucket, "/".join(parts))

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


SUCCESS_TOPIC = "SUCCESS_NOTIFICATION_TOPIC"
ERROR_TOPIC = "ERROR_NOTIFICATION_TOPIC"


@dataclass(frozen=True)
class EndpointDescription:
    """An InService endpoint with an AsyncInferenceConfig, resolved to its container."""

    name: str
    config_name: str
    output_path: S3Uri
    failure_path: S3Uri | None
    success_topic: str | None
    error_topic: str | None
    include_response_in: frozenset[str]
    max_concurrent_per_instance: int | None
    instance_count: int
    image: str
    container_url: str

    @property
    def queue_key(self) -> tuple[str, str]:
        # A new endpoint config (UpdateEndpoint) gets a new queue and worker pool.
        return (self.name, self.config_name)
