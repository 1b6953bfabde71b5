"""Notification part: the SNS messages one outcome produces (one per request at most).

Fields follow the developer guide's async-inference-check-predictions page and
public captures (FACTS.md). CustomAttributes is sensitive and never included.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from reference.endpoints import ERROR_TOPIC, SUCCESS_TOPIC
from reference.jobs import Job, Outcome

# The guide includes the response only when it is at most 128 KB.
MAX_INCLUDED_RESPONSE = 128 * 1024


@dataclass(frozen=True)
class Notification:
    topic_arn: str
    message: dict[str, Any]


class Notifier(Protocol):
    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]: ...


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class SageMakerNotifier:
    def notifications(self, job: Job, outcome: Outcome, *, region: str) -> list[Notification]:
        endpoint = job.endpoint
        topic = endpoint.success_topic if outcome.succeeded else endpoint.error_topic
        if topic is None:
            return []
        message = self.message(job, outcome, region=region)
        wanted = SUCCESS_TOPIC if outcome.succeeded else ERROR_TOPIC
        if wanted in endpoint.include_response_in and outcome.body is not None:
            body = self.response_body(outcome.body)
            if body is not None:
                message["responseBody"] = body
        return [Notification(topic, message)]

    def message(self, job: Job, outcome: Outcome, *, region: str) -> dict[str, Any]:
        request = job.request
        request_parameters: dict[str, Any] = {"endpointName": request.endpoint_name}
        if request.content_type is not None:
            request_parameters["contentType"] = request.content_type
        if request.accept is not None:
            request_parameters["accept"] = request.accept
        if request.input_location is not None:
            request_parameters["inputLocation"] = request.input_location
        response_parameters: dict[str, Any] = {"outputLocation": str(job.locations.output)}
        if outcome.content_type is not None:
            response_parameters["contentType"] = outcome.content_type
        if job.locations.failure is not None and not outcome.succeeded:
            response_parameters["failureLocation"] = str(job.locations.failure)
        message: dict[str, Any] = {
            "awsRegion": region,
            "eventTime": timestamp(outcome.finished_at),
            "receivedTime": timestamp(job.received_at),
            "invocationStatus": "Completed" if outcome.succeeded else "Failed",
            "requestParameters": request_parameters,
            "responseParameters": response_parameters,
            "inferenceId": job.inference_id,
            "eventVersion": "1.0",
            "eventSource": "aws:sagemaker",
            "eventName": "InferenceResult",
        }
        if not outcome.succeeded:
            message["failureReason"] = outcome.reason or "Failed"
        return message

    def response_body(self, body: bytes) -> dict[str, str] | None:
        if len(body) > MAX_INCLUDED_RESPONSE:
            return None
        return {
            "content": base64.b64encode(body).decode("ascii"),
            "message": "This message contains the inference response, base64-encoded.",
            "encoding": "BASE64",
        }
