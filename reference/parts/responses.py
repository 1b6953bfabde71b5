"""Response part: the HTTP shape of the 202 and of every error (rest-json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from reference.errors import ServiceError
from reference.jobs import Job, Outcome

JSON = "application/json"


class Responder(Protocol):
    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        """The answer to an accepted request; `outcome` is None unless the dispatcher waited."""
        ...

    def error(self, error: ServiceError, request_id: str) -> web.Response: ...


@dataclass(frozen=True)
class RestJsonResponder:
    """202 + `{"InferenceId"}` + location headers; errors named in X-Amzn-ErrorType.

    The body carries `message` (and `Message`, the model's member name) so every
    client reads it; the result of the inference is never part of the 202.
    """

    def accepted(self, job: Job, outcome: Outcome | None) -> web.Response:
        headers = {"X-Amzn-SageMaker-OutputLocation": str(job.locations.output)}
        if job.locations.failure is not None:
            headers["X-Amzn-SageMaker-FailureLocation"] = str(job.locations.failure)
        body = json.dumps({"InferenceId": job.inference_id})
        return web.Response(status=202, text=body, content_type=JSON, headers=headers)

    def error(self, error: ServiceError, request_id: str) -> web.Response:
        body = json.dumps({"message": error.message, "Message": error.message})
        headers = {"X-Amzn-ErrorType": error.code, "x-amzn-RequestId": request_id}
        return web.Response(status=error.status, text=body, content_type=JSON, headers=headers)
