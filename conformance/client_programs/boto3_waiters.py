# boto3's waiters as an async-inference app uses them: the endpoint is InService,
# then the S3 object_exists waiter on the OutputLocation (or, for a model error,
# the FailureLocation) the 202 answer announced. Run by conformance/checks/test_clients.py.
import json
import sys
import time

import boto3
from botocore.exceptions import WaiterError

params = json.loads(sys.argv[1])
waiter_config = {"Delay": params["delay"], "MaxAttempts": params["max_attempts"]}
sagemaker = boto3.client("sagemaker")
runtime = boto3.client("sagemaker-runtime")
s3 = boto3.client("s3")


def wait(client, name, **kwargs):
    began = time.monotonic()
    try:
        client.get_waiter(name).wait(WaiterConfig=waiter_config, **kwargs)
        return {"waiter": name, "ok": True, "seconds": round(time.monotonic() - began, 3)}
    except WaiterError as exc:
        return {"waiter": name, "ok": False, "message": str(exc)[:1000]}


def s3_parts(uri):
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


steps = [wait(sagemaker, "endpoint_in_service", EndpointName=params["endpoint"])]
for request in params["requests"]:
    answer = runtime.invoke_endpoint_async(
        EndpointName=params["endpoint"],
        InputLocation=request["input_location"],
        ContentType="application/json",
    )
    wanted = answer.get(request["wait_for"])
    step = {"request": request["name"], "announced": {
        k: answer.get(k) for k in ("InferenceId", "OutputLocation", "FailureLocation")
    }}
    if wanted:
        bucket, key = s3_parts(wanted)
        step.update(wait(s3, "object_exists", Bucket=bucket, Key=key))
        if step["ok"]:
            step["body"] = s3.get_object(Bucket=bucket, Key=key)["Body"].read(4000).decode(
                "utf-8", "replace"
            )
    else:
        step.update(ok=False, message=f"the answer announced no {request['wait_for']}")
    print(f"{request['name']}: {step}", flush=True)
    steps.append(step)
print("CLIENT-RESULT " + json.dumps({"boto3": boto3.__version__, "steps": steps}), flush=True)
