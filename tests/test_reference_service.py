"""The reference service end to end, driven by plain boto3 against one embedded stack."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from deadline_wait import wait_for
from reference.endpoints import S3Uri
from reference.stack import EmbeddedStack, StackSettings
from reference.testing import (
    clients,
    drain_notifications,
    get_object,
    subscribe_queue,
    wait_for_outcome,
)

SCALE = 0.02  # a 60 s TTL lasts 1.2 s, the default 900 s timeout 18 s


@pytest.fixture(scope="module")
def stack() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=SCALE, max_concurrency=2) as settings:
        yield settings


@pytest.fixture(scope="module")
def aws(stack: StackSettings) -> dict[str, Any]:
    return clients(stack)


@pytest.fixture(scope="module")
def queue(stack: StackSettings, aws: dict[str, Any]) -> str:
    return subscribe_queue(stack, aws["sqs"], aws["sns"], f"notes-{uuid.uuid4().hex[:8]}")


def invoke(stack: StackSettings, aws: dict[str, Any], instructions: dict[str, Any] | None = None,
           **params: Any) -> dict[str, Any]:
    if "InputLocation" not in params:
        params.setdefault("Body", json.dumps(instructions or {}).encode())
    params.setdefault("ContentType", "application/json")
    response = aws["sagemaker-runtime"].invoke_endpoint_async(
        EndpointName=stack.endpoint_name, **params
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202, response
    return response


def outcome(aws: dict[str, Any], response: dict[str, Any], timeout: float = 20) -> tuple[str, Any]:
    kind, body, content_type = wait_for_outcome(aws["s3"], response, timeout=timeout)
    return kind, (json.loads(body) if content_type.startswith("application/json") else body)


def history_now(stack: StackSettings, aws: dict[str, Any]) -> list[str]:
    kind, record = outcome(aws, invoke(stack, aws, {"tag": f"look-{uuid.uuid4().hex[:6]}"}))
    assert kind == "output"
    return record["history"]


def test_accepted_with_locations_under_configured_paths(stack, aws) -> None:
    response = invoke(stack, aws, InferenceId="my-id-1")
    assert response["InferenceId"] == "my-id-1"
    assert response["OutputLocation"].startswith(stack.output_path + "/")
    assert response["FailureLocation"].startswith(stack.failure_path + "/")
    generated = {invoke(stack, aws)["InferenceId"] for _ in range(3)}
    assert len(generated) == 3 and all(uuid.UUID(i) for i in generated)


def test_output_object_holds_the_probe_record_from_s3_input(stack, aws) -> None:
    payload = json.dumps({"tag": "from-s3", "content_type": "application/json"}).encode()
    target = S3Uri.parse(stack.input_s3).join(f"{uuid.uuid4()}.json")
    aws["s3"].put_object(Bucket=target.bucket, Key=target.key, Body=payload)
    response = invoke(stack, aws, InputLocation=str(target))
    kind, record = outcome(aws, response)
    assert kind == "output"
    assert record["probe"] == 1 and record["tag"] == "from-s3"
    assert record["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert get_object(aws["s3"], response["FailureLocation"]) is None


def test_extra_client_headers_never_reach_the_container(stack, aws) -> None:
    runtime = aws["sagemaker-runtime"]

    def add_headers(request: Any, **_: Any) -> None:
        request.headers["X-Extra-Header"] = "leak"
        request.headers["X-Amzn-SageMaker-Target-Model"] = "look-alike"

    runtime.meta.events.register("before-sign.sagemaker-runtime.*", add_headers)
    try:
        response = invoke(stack, aws, {"tag": "headers"}, Accept="text/plain")
    finally:
        runtime.meta.events.unregister("before-sign.sagemaker-runtime.*", add_headers)
    _, record = outcome(aws, response)
    seen = set(record["headers"])
    assert seen <= {"host", "content-length", "content-type", "accept"}, seen
    assert record["headers"]["accept"] == "text/plain"
    assert record["headers"]["content-type"] == "application/json"


def test_custom_attributes_reach_the_container_verbatim(stack, aws) -> None:
    value = 'trace=abc;  x="a, b"  \tend=1/2+3'
    _, record = outcome(aws, invoke(stack, aws, {"tag": "ca"}, CustomAttributes=value))
    assert record["headers"]["x-amzn-sagemaker-custom-attributes"] == value


def test_path_extension_and_filename_name_the_output(stack, aws) -> None:
    response = invoke(stack, aws, S3OutputPathExtension="run/7", Filename="result.json")
    assert response["OutputLocation"] == f"{stack.output_path}/run/7/result.json"
    assert outcome(aws, response)[0] == "output"


def test_model_failure_writes_only_the_failure_object(stack, aws) -> None:
    response = invoke(stack, aws, {"status": 500, "tag": "boom"})
    kind, record = outcome(aws, response)
    assert kind == "failure" and record["tag"] == "boom"
    assert get_object(aws["s3"], response["OutputLocation"]) is None


def test_timeout_fails_the_invocation(stack, aws) -> None:
    response = invoke(stack, aws, {"sleep_ms": 1500}, InvocationTimeoutSeconds=1)
    kind, body = outcome(aws, response)
    assert kind == "failure" and b"InvocationTimeoutSeconds" in body
    assert get_object(aws["s3"], response["OutputLocation"]) is None


def test_expired_request_is_never_run(stack, aws) -> None:
    # Occupy both workers for longer than a 60 s TTL lasts at this clock scale.
    blockers = [invoke(stack, aws, {"sleep_ms": 2500, "tag": f"block-{i}"}) for i in range(2)]
    tag = f"expired-{uuid.uuid4().hex[:6]}"
    doomed = invoke(stack, aws, {"tag": tag}, RequestTTLSeconds=60)
    kind, body = outcome(aws, doomed, timeout=10)
    assert kind == "failure" and b"RequestTTLSeconds" in body
    for blocker in blockers:
        assert outcome(aws, blocker)[0] == "output"
    assert get_object(aws["s3"], doomed["OutputLocation"]) is None
    assert tag not in history_now(stack, aws)


def test_no_more_than_the_concurrency_limit_runs_at_once(stack, aws) -> None:
    responses = [invoke(stack, aws, {"sleep_ms": 200}) for _ in range(6)]
    records = [outcome(aws, r)[1] for r in responses]
    events = sorted(
        [(r["started_at"], 1) for r in records] + [(r["finished_at"], -1) for r in records]
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    assert peak == stack.max_concurrency


def test_notifications_arrive_through_sqs(stack, aws, queue) -> None:
    ok = invoke(stack, aws, {"tag": "note-ok"})
    bad = invoke(stack, aws, {"status": 503, "tag": "note-bad"})
    wanted = {ok["InferenceId"], bad["InferenceId"]}
    found: dict[str, dict[str, Any]] = {}

    def both() -> dict[str, dict[str, Any]] | None:
        for message in drain_notifications(aws["sqs"], queue):
            if message["inferenceId"] in wanted:
                assert message["inferenceId"] not in found, "duplicate notification"
                found[message["inferenceId"]] = message
        return found if set(found) == wanted else None

    wait_for(both, timeout=20, what="both notifications")
    success, failure = found[ok["InferenceId"]], found[bad["InferenceId"]]
    assert success["TopicArn"] == stack.success_topic_arn
    assert success["invocationStatus"] == "Completed"
    assert success["responseParameters"]["outputLocation"] == ok["OutputLocation"]
    for name in ("awsRegion", "eventTime", "receivedTime", "requestParameters"):
        assert name in success
    assert (success["eventVersion"], success["eventSource"], success["eventName"]) == (
        "1.0", "aws:sagemaker", "InferenceResult")
    output, _ = get_object(aws["s3"], ok["OutputLocation"])
    assert base64.b64decode(success["responseBody"]["content"]) == output
    assert failure["TopicArn"] == stack.error_topic_arn
    assert failure["invocationStatus"] == "Failed"
    assert "(503)" in failure["failureReason"]


def _runtime(stack: StackSettings, key: str, secret: str, **config: Any) -> Any:
    return boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name=stack.region
    ).client("sagemaker-runtime", endpoint_url=stack.service_url,
             config=Config(retries={"max_attempts": 1}, **config))


def _unsigned(stack, tag):
    from botocore import UNSIGNED
    return _runtime(stack, "x", "y", signature_version=UNSIGNED), {}


def _wrong_secret(stack, tag):
    return _runtime(stack, stack.access_key, stack.secret_key + "x"), {}


def _unknown_key(stack, tag):
    return _runtime(stack, "AKIAUNKNOWNUNKNOWN00", stack.secret_key), {}


def _stale(stack, tag):
    return _runtime(stack, stack.access_key, stack.secret_key), {"skew": timedelta(minutes=20)}


def _body_changed(stack, tag):
    client = _runtime(stack, stack.access_key, stack.secret_key)

    def tamper(request: Any, **_: Any) -> None:
        request.body = request.body.replace(b"tag", b"TAG")

    client.meta.events.register("before-send.sagemaker-runtime.*", tamper)
    return client, {}


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (_unsigned, "MissingAuthenticationTokenException"),
        (_wrong_secret, "InvalidSignatureException"),
        (_unknown_key, "UnrecognizedClientException"),
        (_stale, "InvalidSignatureException"),
        (_body_changed, "InvalidSignatureException"),
    ],
    ids=["unsigned", "wrong-secret", "unknown-key", "stale-date", "body-changed"],
)
def test_auth_faults_are_403_and_never_queued(stack, aws, monkeypatch, make, code) -> None:
    tag = f"auth-{uuid.uuid4().hex[:6]}"
    client, options = make(stack, tag)
    if "skew" in options:
        stale = datetime.now(UTC) - options["skew"]
        monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: stale)
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint_async(
            EndpointName=stack.endpoint_name, Body=json.dumps({"tag": tag}).encode()
        )
    monkeypatch.undo()
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == code
    assert tag not in history_now(stack, aws)


def test_unknown_endpoint_is_a_validation_error(stack, aws) -> None:
    with pytest.raises(ClientError) as caught:
        aws["sagemaker-runtime"].invoke_endpoint_async(EndpointName="no-such-endpoint", Body=b"{}")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_concurrent_burst_ends_with_exactly_one_outcome_each(stack, aws) -> None:
    def send(i: int) -> dict[str, Any]:
        return invoke(stack, aws, {"tag": f"burst-{i}"})

    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(send, range(200)))
    assert len({r["OutputLocation"] for r in responses}) == 200
    for response in responses:
        kind, _ = outcome(aws, response, timeout=60)
        assert kind == "output"
        assert get_object(aws["s3"], response["FailureLocation"]) is None
