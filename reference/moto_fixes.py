"""The one place where the embedded stack corrects what moto answers.

moto 5.2.x answers ``DataCaptureConfig: {}`` in DescribeEndpointConfig and
DescribeEndpoint for an endpoint config created without data capture. AWS leaves
the member out, and botocore's model makes the members of DataCaptureConfig
(and of DescribeEndpoint's DataCaptureConfigSummary) required when it is present,
so clients that validate against the model reject the answer: sagemaker-core's
``Endpoint.get`` and ``EndpointConfig.get`` raise a pydantic ValidationError.

The embedded stack runs moto's server in its own process and owns its answers:
``apply()`` drops an *empty* DataCaptureConfig from those two answers, nothing
else; a DataCaptureConfig with members passes unchanged. moto's own state is
untouched (its CreateEndpoint copies the config's DataCaptureConfig). What moto
still gets wrong is in docs/moto.md and docs/moto-data-capture-report.md.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
PATCHED = "_conformance_drops_empty_data_capture"
HANDLERS = ("describe_endpoint", "describe_endpoint_config")


def apply() -> bool:
    """Install the fix (idempotent); False when this moto has no such handlers."""
    try:
        from moto.core.responses import ActionResult
        from moto.sagemaker.responses import SageMakerResponse
    except ImportError:  # a moto without these classes: nothing to fix here
        log.warning("moto's SageMaker responses not found; DataCaptureConfig left as is")
        return False
    for name in HANDLERS:
        handler = getattr(SageMakerResponse, name, None)
        if handler is None:
            log.warning("moto has no SageMakerResponse.%s; DataCaptureConfig left as is", name)
            return False
        if not getattr(handler, PATCHED, False):
            setattr(SageMakerResponse, name, _without_empty_data_capture(handler, ActionResult))
    return True


def _without_empty_data_capture(handler: Callable[..., Any], result_type: type) -> Any:
    @functools.wraps(handler)
    def describe(self: Any) -> Any:
        answer = handler(self)
        body = getattr(answer, "result", None)
        empty = isinstance(body, dict) and body.get("DataCaptureConfig") == {}
        if isinstance(answer, result_type) and empty:
            return result_type({k: v for k, v in body.items() if k != "DataCaptureConfig"})
        return answer

    setattr(describe, PATCHED, True)
    return describe
