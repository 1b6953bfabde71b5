"""Location part: plans OutputLocation and FailureLocation for one request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from reference.endpoints import EndpointDescription
from reference.jobs import Locations
from reference.request import AsyncRequest


class LocationPlanner(Protocol):
    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations: ...


@dataclass(frozen=True)
class UuidLocations:
    """`S3OutputPath[/ext]/(Filename | <uuid>.out)`, `S3FailurePath[/ext]/<uuid>-error.out`.

    The UUID is fresh per request and not the InferenceId, as captures show;
    the extension applies to the failure path too (FACTS leaves that open).
    """

    def plan(
        self, endpoint: EndpointDescription, request: AsyncRequest, inference_id: str
    ) -> Locations:
        name = str(uuid.uuid4())
        extension = request.output_path_extension or ""
        output = endpoint.output_path.join(extension, request.filename or f"{name}.out")
        failure = None
        if endpoint.failure_path is not None:
            failure = endpoint.failure_path.join(extension, f"{name}-error.out")
        return Locations(output=output, failure=failure)
