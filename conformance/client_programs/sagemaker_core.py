# sagemaker-core's resource flow: Endpoint.get, EndpointConfig.get, then
# Endpoint.invoke_async, and a request the service rejects.
# Run by conformance/checks/test_clients.py.
import json
import sys
import time
from importlib import metadata

from botocore.exceptions import ClientError
from pydantic import ValidationError

try:  # sagemaker-core 1.x
    from sagemaker_core.resources import Endpoint, EndpointConfig
except ImportError:  # sagemaker-core 2.x
    from sagemaker.core.resources import Endpoint, EndpointConfig

params = json.loads(sys.argv[1])


def step(name, action):
    began = time.monotonic()
    outcome = {"step": name}
    try:
        outcome.update(action())
        outcome["ok"] = True
    except (ClientError, ValidationError) as exc:
        outcome.update(ok=False, raised=type(exc).__name__, message=str(exc)[:2000])
        outcome["client_error"] = isinstance(exc, ClientError)
        if isinstance(exc, ClientError):
            outcome["error_code"] = exc.response.get("Error", {}).get("Code")
    outcome["seconds"] = round(time.monotonic() - began, 3)
    print(f"{name}: {outcome}", flush=True)
    return outcome


def get_endpoint():
    endpoint = Endpoint.get(endpoint_name=params["endpoint"])
    return {"status": endpoint.endpoint_status, "config_name": endpoint.endpoint_config_name}


def get_endpoint_config():
    config = EndpointConfig.get(endpoint_config_name=params["config"])
    output = config.async_inference_config.output_config
    return {"s3_output_path": output.s3_output_path}


def invoke_async():
    answer = Endpoint(endpoint_name=params["endpoint"]).invoke_async(
        input_location=params["input_location"],
        content_type="application/json",
        inference_id=params["inference_id"],
    )
    return {
        "inference_id": answer.inference_id,
        "output_location": answer.output_location,
        "failure_location": getattr(answer, "failure_location", None),
    }


def rejected():
    answer = Endpoint(endpoint_name=params["unknown_endpoint"]).invoke_async(
        input_location=params["input_location"]
    )
    return {"output_location": answer.output_location}


steps = [step(name, action) for name, action in (
    ("endpoint_get", get_endpoint),
    ("endpoint_config_get", get_endpoint_config),
    ("invoke_async", invoke_async),
    ("rejected", rejected),
)]
version = metadata.version("sagemaker-core")
print("CLIENT-RESULT " + json.dumps({"sagemaker_core": version, "steps": steps}), flush=True)
