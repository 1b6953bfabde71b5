"""S3 and SNS for the workers: blocking boto3 calls run on an executor."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Executor
from typing import Any
from urllib.parse import unquote, urlsplit

from reference.endpoints import S3Uri
from reference.parts import Notification, S3Write


def input_uri(location: str) -> S3Uri:
    """The S3 object an InputLocation names: `s3://b/k` or an https S3 URL.

    Path style (`https://s3.<region>.amazonaws.com/b/k`) and virtual-hosted style
    (`https://b.s3.<region>.amazonaws.com/k`) are both understood.
    """
    if location.startswith("s3://"):
        return S3Uri.parse(location)
    parts = urlsplit(location)
    host = parts.hostname or ""
    path = unquote(parts.path.lstrip("/"))
    if host.startswith(("s3.", "s3-")) or host == "s3.amazonaws.com":
        bucket, _, key = path.partition("/")
    elif ".s3." in host or ".s3-" in host:
        bucket, key = host.split(".s3", 1)[0], path
    else:
        bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise ValueError(f"InputLocation {location!r} does not name an S3 object")
    return S3Uri(bucket, key)


class AwsGateway:
    def __init__(self, s3: Any, sns: Any, executor: Executor) -> None:
        self._s3 = s3
        self._sns = sns
        self._executor = executor

    async def _run(self, function: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: function(**kwargs))

    async def read(self, location: S3Uri) -> bytes:
        def get() -> bytes:
            response = self._s3.get_object(Bucket=location.bucket, Key=location.key)
            with response["Body"] as body:
                return body.read()

        return await self._run(get)

    async def write(self, write: S3Write) -> None:
        await self._run(
            self._s3.put_object,
            Bucket=write.location.bucket,
            Key=write.location.key,
            Body=write.body,
            ContentType=write.content_type,
        )

    async def publish(self, notification: Notification) -> None:
        await self._run(
            self._sns.publish,
            TopicArn=notification.topic_arn,
            Message=json.dumps(notification.message),
        )
