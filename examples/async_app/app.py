"""A small app that uses SageMaker asynchronous inference: it uploads a document,
submits it to an async endpoint and fetches the answer when it lands.

Nothing here knows about the conformance suite: the same code runs against AWS.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Submitted:
    inference_id: str
    output_location: str
    failure_location: str | None


class Scorer:
    def __init__(self, *, runtime: Any, s3: Any, endpoint_name: str, bucket: str) -> None:
        self.runtime, self.s3 = runtime, s3
        self.endpoint_name, self.bucket = endpoint_name, bucket

    def submit(self, document: dict[str, Any]) -> Submitted:
        key = f"app-inputs/{uuid.uuid4()}.json"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(document).encode())
        answer = self.runtime.invoke_endpoint_async(
            EndpointName=self.endpoint_name,
            InputLocation=f"s3://{self.bucket}/{key}",
            ContentType="application/json",
        )
        return Submitted(
            answer["InferenceId"], answer["OutputLocation"], answer.get("FailureLocation")
        )

    def result(self, submitted: Submitted, *, delay: float = 0.5, attempts: int = 60) -> bytes:
        """The model's answer; raises RuntimeError with the failure text if it failed."""
        waiter = self.s3.get_waiter("object_exists")
        config = {"Delay": delay, "MaxAttempts": 1}
        for _ in range(attempts):
            for location, failed in (
                (submitted.output_location, False),
                (submitted.failure_location, True),
            ):
                if not location:
                    continue
                bucket, _, key = location.removeprefix("s3://").partition("/")
                try:
                    waiter.wait(Bucket=bucket, Key=key, WaiterConfig=config)
                except Exception:  # not there yet (a one-attempt waiter raises)
                    continue
                body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                if failed:
                    raise RuntimeError(body.decode("utf-8", "replace"))
                return body
        raise TimeoutError(f"no outcome for {submitted.inference_id}")
