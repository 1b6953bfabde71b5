# The SageMaker Python SDK 2.x async-inference flow, as its documentation shows it:
# AsyncPredictor.predict_async(input_path=...) / predict_async(data=...) with a
# session default bucket, get_result(WaiterConfig), the blocking predict(), the
# model error, and a request the service rejects. Run by conformance/checks/test_clients.py.
import json
import os
import sys
import threading
import time

import boto3
import sagemaker
from botocore.exceptions import ClientError
from sagemaker.async_inference import WaiterConfig
from sagemaker.deserializers import BytesDeserializer
from sagemaker.exceptions import AsyncInferenceModelError, PollingTimeoutError
from sagemaker.predictor import Predictor
from sagemaker.predictor_async import AsyncPredictor
from sagemaker.serializers import IdentitySerializer

params = json.loads(sys.argv[1])
session = sagemaker.Session(
    boto_session=boto3.Session(),
    default_bucket=params["bucket"],  # without it the SDK asks STS at a hard-coded URL
    default_bucket_prefix=params["prefix"],
)
waiter = WaiterConfig(max_attempts=params["max_attempts"], delay=params["delay"])


def predictor(endpoint_name):
    return AsyncPredictor(
        Predictor(
            endpoint_name,
            sagemaker_session=session,
            serializer=IdentitySerializer(content_type="application/json"),
            deserializer=BytesDeserializer(),
        )
    )


def step(name, action):
    began = time.monotonic()
    outcome = {"step": name}
    try:
        outcome.update(action())
        outcome["ok"] = True
    except (AsyncInferenceModelError, PollingTimeoutError, ClientError) as exc:
        outcome.update(ok=False, raised=type(exc).__name__, message=str(exc)[:2000])
        outcome["client_error"] = isinstance(exc, ClientError)
        if isinstance(exc, ClientError):
            outcome["error_code"] = exc.response.get("Error", {}).get("Code")
    outcome["seconds"] = round(time.monotonic() - began, 3)
    print(f"{name}: {outcome}", flush=True)
    return outcome


def text(result):
    return result.decode("utf-8", "replace")[:4000]


def by_input_path():
    response = predictor(params["endpoint"]).predict_async(
        input_path=params["input_location"],
        initial_args={"ContentType": "application/json"},  # not sent unless told
    )
    result = response.get_result(waiter)
    return {"output_path": response.output_path, "result": text(result)}


def by_data():
    response = predictor(params["endpoint"]).predict_async(
        data=params["data"].encode(), initial_args={"ContentType": "application/json"}
    )
    result = response.get_result(waiter)
    return {"output_path": response.output_path, "result": text(result)}


def blocking_predict():
    result = predictor(params["endpoint"]).predict(
        data=params["predict_data"].encode(),
        initial_args={"ContentType": "application/json"},
        waiter_config=waiter,
    )
    return {"result": text(result)}


def model_error():
    response = predictor(params["endpoint"]).predict_async(
        data=params["error_data"].encode(), initial_args={"ContentType": "application/json"}
    )
    result = response.get_result(waiter)
    return {"output_path": response.output_path, "result": text(result)}


def rejected():
    response = predictor(params["unknown_endpoint"]).predict_async(
        input_path=params["input_location"]
    )
    return {"output_path": response.output_path}


results = [step(name, action) for name, action in (
    ("input_path", by_input_path),
    ("data", by_data),
    ("predict", blocking_predict),
    *((("model_error", model_error),) if params.get("error_data") else ()),
    ("rejected", rejected),
)]
# get_result()/predict() start a waiter on the OutputLocation and one on the
# FailureLocation; the one whose object never comes keeps polling HeadObject until
# its MaxAttempts run out, in a non-daemon thread the interpreter waits for at exit.
lingering = threading.active_count() - 1
summary = {"sdk": sagemaker.__version__, "steps": results, "lingering_waiters": lingering}
print("CLIENT-RESULT " + json.dumps(summary), flush=True)
os._exit(0)  # end now instead of waiting out those waiters
