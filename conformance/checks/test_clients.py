"""The clients people use, judged against the target: AWS CLI v1, the SageMaker
Python SDK 2.x AsyncPredictor, sagemaker-core and boto3's waiters.

Each check runs the real client (installed by the optional extra ``clients``) in a
child process bounded by a deadline (conformance/clients.py) and judges what the
client itself reports: its exit code, what it printed, the error type it raised.
Without the client installed the check is skipped and says how to install it.
Evidence is the client's command line or program and everything it printed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import clients
from conformance.client import HarnessError
from conformance.clients import ClientRequirement, ClientRun, ClientRunner
from conformance.observe import parse_location
from conformance.probe import new_tag, parse_probe_record, probe_payload
from conformance.session import ConformanceSession, wait_until
from conformance.violations import Checks

PROGRAMS = Path(__file__).resolve().parent.parent / "client_programs"
# Seconds a client may spend on top of the outcome deadline (start-up, imports).
CLIENT_OVERHEAD = 60.0
NO_SUCH_ENDPOINT = "conformance-no-such-endpoint"


@pytest.fixture(scope="module")
def client_runner(
    conformance_session: ConformanceSession, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClientRunner]:
    session = conformance_session
    boto = session._boto  # the run's own credential chain, resolved once
    frozen = boto.get_credentials().get_frozen_credentials()
    home = tmp_path_factory.mktemp("clients")
    env = clients.client_environment(
        endpoints=dict(session.target.endpoints),
        region=session.target.region,
        access_key=frozen.access_key,
        secret_key=frozen.secret_key,
        session_token=frozen.token,
        home=home,
    )
    yield ClientRunner(env, home)


# A comma-separated list of clients (aws-cli, sagemaker, sagemaker-core, boto3) that
# must be installed: set by the tox environments that exist to run them, where a
# missing client is the environment's fault (error), not a reason to skip.
REQUIRE_CLIENTS = "CONFORMANCE_REQUIRE_CLIENTS"


def _need(requirement: ClientRequirement | None, name: str, reason: str | None = None) -> None:
    reason = reason if requirement is None else requirement.missing()
    if not reason:
        return
    required = {c.strip() for c in os.environ.get(REQUIRE_CLIENTS, "").split(",")}
    if name in required:
        raise HarnessError(f"{reason}; {REQUIRE_CLIENTS} says {name} must run here")
    pytest.skip(reason)


def _deadline(session: ConformanceSession) -> float:
    return session.outcome_deadline + CLIENT_OVERHEAD


class Payload:
    """An input for one client request, and how to recognise the model's answer to it."""

    def __init__(self, session: ConformanceSession, purpose: str, *, status: int | None = None):
        self.tag = new_tag(purpose)
        self.probe = session.target.probe
        if self.probe:
            self.body = probe_payload(tag=self.tag, status=status)
        else:
            self.body = json.dumps({"conformance": purpose, "tag": self.tag}).encode()

    @property
    def text(self) -> str:
        return self.body.decode()

    def answered_by(self, answer: str | bytes | None) -> bool:
        """Is ``answer`` the model's answer to this payload? (Any object, without the probe.)"""
        if answer is None:
            return False
        if not self.probe:
            return True
        data = answer.encode() if isinstance(answer, str) else answer
        record = parse_probe_record(data)
        return record is not None and record.tag == self.tag


def _remember(session: ConformanceSession, output: str | None, failure: str | None) -> None:
    """Clean-up removes what a client's request wrote (under the endpoint's paths only)."""
    with session.resources.lock:
        session.resources.outcomes.append((output, failure))


def _run_program(
    runner: ClientRunner,
    session: ConformanceSession,
    client: str,
    params: dict[str, Any],
    *,
    waits: int = 1,
) -> ClientRun:
    """Run a client program that waits for up to ``waits`` outcomes, one after another."""
    code = (PROGRAMS / f"{client.replace('-', '_')}.py").read_text()
    deadline = waits * session.outcome_deadline + CLIENT_OVERHEAD
    return runner.python(client, code, params=params, deadline=deadline)


def _steps(run: ClientRun) -> dict[str, dict[str, Any]]:
    steps = run.result().get("steps") or []
    return {str(s.get("step") or s.get("request") or s.get("waiter")): s for s in steps}


def _require_ran(checks: Checks, run: ClientRun, behaviours: tuple[str, ...]) -> bool:
    """The client program ran to its result line; if not, every behaviour it was to
    show is broken by the same run (a client killed at its deadline hung on the target)."""
    ended = run.ok and bool(run.result())
    for behaviour in behaviours:
        checks.require(
            ended,
            behaviour,
            expected=f"{run.client} runs to completion within {run.deadline:.0f} s",
            observed=run.summary(),
            observations=[run.to_evidence()],
        )
    return ended


# -- AWS CLI v1 -------------------------------------------------------------------


@pytest.mark.behaviour("IEA-CLI-001")
def test_aws_cli_submits_waits_and_fetches(
    conformance_session: ConformanceSession, client_runner: ClientRunner
) -> None:
    _need(clients.AWS_CLI_V1, "aws-cli")
    session, runner = conformance_session, client_runner
    payload = Payload(session, "cli")
    input_location = session.put_input(payload.body)
    inference_id = new_tag("cli-id")
    deadline = _deadline(session)
    submit = runner.aws(
        "sagemaker-runtime", "invoke-endpoint-async",
        "--endpoint-name", session.target.endpoint_name,
        "--input-location", input_location,
        "--content-type", "application/json",
        "--inference-id", inference_id,
        "--custom-attributes", "conformance=clients",
        "--request-ttl-seconds", "3600",
        "--invocation-timeout-seconds", "600",
        "--output", "json",
        deadline=deadline,
    )
    answer = submit.json_output() if submit.ok else None
    answer = answer if isinstance(answer, dict) else {}
    output = answer.get("OutputLocation")
    _remember(session, output, answer.get("FailureLocation"))
    checks = Checks()
    if not checks.require(
        submit.ok and answer.get("InferenceId") == inference_id and bool(output),
        "IEA-CLI-001",
        expected=f"exit 0 and JSON with InferenceId {inference_id!r} and an OutputLocation",
        observed=f"{submit.summary()}; printed {submit.stdout[:300]!r}",
        observations=[submit.to_evidence()],
    ):
        checks.done()
    wait = runner.aws("s3api", "wait", "object-exists", *_bucket_key(output), deadline=deadline)
    if not checks.require(
        wait.ok,
        "IEA-CLI-001",
        expected=f"`aws s3api wait object-exists` on {output} exits 0",
        observed=wait.summary(),
        observations=[submit.to_evidence(), wait.to_evidence()],
    ):
        checks.done()
    fetched_path = runner.workdir / f"{payload.tag}.out"
    fetch = runner.aws("s3", "cp", str(output), str(fetched_path), deadline=deadline)
    fetched = fetched_path.read_bytes()[:1_000_000] if fetched_path.is_file() else None
    checks.require(
        fetch.ok and payload.answered_by(fetched),
        "IEA-CLI-001",
        expected=f"`aws s3 cp {output}` fetches the model's answer to request {payload.tag}",
        observed=f"{fetch.summary()}; fetched {(fetched or b'')[:200]!r}",
        observations=[submit.to_evidence(), wait.to_evidence(), fetch.to_evidence()],
    )
    checks.done()


@pytest.mark.behaviour("IEA-CLI-002")
def test_aws_cli_prints_the_validation_error(
    conformance_session: ConformanceSession, client_runner: ClientRunner
) -> None:
    _need(clients.AWS_CLI_V1, "aws-cli")
    session, runner = conformance_session, client_runner
    input_location = session.put_input(Payload(session, "cli-ttl").body)
    # The CLI checks the TTL floor itself unless told not to: then the service must.
    config = runner.workdir / "aws-config-no-validation"
    config.write_text("[default]\nparameter_validation = false\n")
    run = runner.aws(
        "sagemaker-runtime", "invoke-endpoint-async",
        "--endpoint-name", session.target.endpoint_name,
        "--input-location", input_location,
        "--request-ttl-seconds", "5",
        deadline=_deadline(session),
        env={"AWS_CONFIG_FILE": str(config)},
    )
    answer = run.json_output()
    if isinstance(answer, dict):
        _remember(session, answer.get("OutputLocation"), answer.get("FailureLocation"))
    checks = Checks()
    checks.require(
        run.exit_code not in (0, None)
        and "(ValidationError)" in run.stderr
        and "InvokeEndpointAsync" in run.stderr,
        "IEA-CLI-002",
        expected="a non-zero exit and 'An error occurred (ValidationError) when calling the "
        "InvokeEndpointAsync operation' on stderr",
        observed=f"{run.summary()}; stderr {run.stderr.strip()[-300:]!r}",
        observations=[run.to_evidence()],
    )
    checks.done()


def _bucket_key(uri: str | None) -> tuple[str, str, str, str]:
    bucket, _, key = str(uri).removeprefix("s3://").partition("/")
    return ("--bucket", bucket, "--key", key)


# -- SageMaker Python SDK 2.x -----------------------------------------------------

SDK_BEHAVIOURS = ("IEA-SDK-001", "IEA-SDK-002", "IEA-SDK-003", "IEA-SDK-004", "IEA-SDK-005")


@pytest.mark.behaviour(*SDK_BEHAVIOURS)
def test_sagemaker_sdk_async_predictor(
    conformance_session: ConformanceSession, client_runner: ClientRunner
) -> None:
    _need(clients.SAGEMAKER_SDK_V2, "sagemaker")
    session = conformance_session
    by_path, by_data, blocking = (Payload(session, p) for p in ("sdk-path", "sdk-data", "sdk-sync"))
    failing = Payload(session, "sdk-error", status=500) if _can_fail(session) else None
    params = {
        "endpoint": session.target.endpoint_name,
        "unknown_endpoint": NO_SUCH_ENDPOINT,
        "bucket": session.target.input_bucket,
        "prefix": f"{session.run_prefix}/sdk",
        "input_location": session.put_input(by_path.body),
        "data": by_data.text,
        "predict_data": blocking.text,
        "error_data": failing.text if failing else None,
        **_waiter(session),
    }
    run = _run_program(client_runner, session, "sagemaker-sdk-v2", params, waits=4)
    steps = _steps(run)
    for step in steps.values():
        _remember(session, step.get("output_path"), None)
    checks = Checks()
    wanted = SDK_BEHAVIOURS if failing else tuple(b for b in SDK_BEHAVIOURS if b != "IEA-SDK-004")
    if not _require_ran(checks, run, wanted):
        checks.done()
    evidence = [run.to_evidence()]
    for behaviour, name, payload, what in (
        ("IEA-SDK-001", "input_path", by_path, "predict_async(input_path=...).get_result()"),
        ("IEA-SDK-002", "data", by_data, "predict_async(data=...).get_result()"),
        ("IEA-SDK-003", "predict", blocking, "predict(data=...)"),
    ):
        step = steps.get(name, {})
        checks.require(
            step.get("ok") and payload.answered_by(step.get("result")),
            behaviour,
            expected=f"{what} returns the model's answer to request {payload.tag}",
            observed=_step_text(step),
            observations=evidence,
        )
    if failing is not None:
        step = steps.get("model_error", {})
        checks.require(
            step.get("raised") == "AsyncInferenceModelError",
            "IEA-SDK-004",
            expected="get_result() raises AsyncInferenceModelError for a model that answers 500",
            observed=_step_text(step),
            observations=evidence,
        )
    step = steps.get("rejected", {})
    checks.require(
        step.get("client_error") and step.get("error_code") == "ValidationError",
        "IEA-SDK-005",
        expected=f"predict_async on endpoint {NO_SUCH_ENDPOINT!r} raises ClientError "
        "with code ValidationError",
        observed=_step_text(step),
        observations=evidence,
    )
    checks.done()


def _can_fail(session: ConformanceSession) -> bool:
    """A model error can be provoked (the probe) and lands in S3 (an S3FailurePath)."""
    config = session.async_config
    return session.target.probe and bool(config and config.s3_failure_path)


def _waiter(session: ConformanceSession) -> dict[str, Any]:
    delay = 0.5
    return {"delay": delay, "max_attempts": max(4, int(session.outcome_deadline / delay))}


def _step_text(step: dict[str, Any]) -> str:
    if not step:
        return "the step did not run"
    shown = {k: (v[:300] if isinstance(v, str) else v) for k, v in step.items()}
    return json.dumps(shown)[:800]


# -- sagemaker-core ---------------------------------------------------------------

CORE_BEHAVIOURS = ("IEA-SMCORE-001", "IEA-SMCORE-002", "IEA-SMCORE-003")


@pytest.mark.behaviour(*CORE_BEHAVIOURS)
def test_sagemaker_core_endpoint(
    conformance_session: ConformanceSession, client_runner: ClientRunner
) -> None:
    _need(None, "sagemaker-core", clients.sagemaker_core_missing())
    session = conformance_session
    payload = Payload(session, "core")
    endpoint = session.sagemaker.describe_endpoint(EndpointName=session.target.endpoint_name)
    params = {
        "endpoint": session.target.endpoint_name,
        "config": endpoint["EndpointConfigName"],
        "unknown_endpoint": NO_SUCH_ENDPOINT,
        "input_location": session.put_input(payload.body),
        "inference_id": new_tag("core-id"),
    }
    run = _run_program(client_runner, session, "sagemaker-core", params)
    steps = _steps(run)
    invoked = steps.get("invoke_async", {})
    _remember(session, invoked.get("output_location"), invoked.get("failure_location"))
    checks = Checks()
    if not _require_ran(checks, run, CORE_BEHAVIOURS):
        checks.done()
    evidence = [run.to_evidence()]
    got, got_config = steps.get("endpoint_get", {}), steps.get("endpoint_config_get", {})
    checks.require(
        got.get("ok") and got_config.get("ok") and bool(got_config.get("s3_output_path")),
        "IEA-SMCORE-001",
        expected="Endpoint.get and EndpointConfig.get parse the control plane's answers",
        observed=f"Endpoint.get: {_step_text(got)}; EndpointConfig.get: {_step_text(got_config)}",
        observations=evidence,
    )
    output = invoked.get("output_location")
    announced = invoked.get("ok") and invoked.get("inference_id") == params["inference_id"]
    if checks.require(
        announced and bool(output),
        "IEA-SMCORE-002",
        expected=f"invoke_async returns InferenceId {params['inference_id']!r} and an "
        "OutputLocation",
        observed=_step_text(invoked),
        observations=evidence,
    ):
        landed = _fetch(session, str(output))
        checks.require(
            payload.answered_by(landed),
            "IEA-SMCORE-002",
            expected=f"the model's answer to request {payload.tag} at {output}",
            observed=f"{(landed or b'')[:200]!r}" if landed is not None else "no object there",
            observations=evidence,
        )
    rejected = steps.get("rejected", {})
    checks.require(
        rejected.get("client_error") and rejected.get("error_code") == "ValidationError",
        "IEA-SMCORE-003",
        expected=f"invoke_async on endpoint {NO_SUCH_ENDPOINT!r} raises ClientError with code "
        "ValidationError",
        observed=_step_text(rejected),
        observations=evidence,
    )
    checks.done()


def _fetch(session: ConformanceSession, uri: str) -> bytes | None:
    """The object at ``uri`` once it lands (bounded by the outcome deadline), or None."""
    location = parse_location(uri)
    if location is None:
        return None
    found: list[bytes] = []

    def landed() -> bool:
        obj = session.observer.fetch(location)
        if obj is not None:
            found.append(obj.body)
        return bool(found)

    wait_until(landed, deadline=session.outcome_deadline, interval=0.1)
    return found[0] if found else None


# -- boto3 waiters ----------------------------------------------------------------


@pytest.mark.behaviour("IEA-WAITER-001", "IEA-WAITER-002")
def test_boto3_waiters(
    conformance_session: ConformanceSession, client_runner: ClientRunner
) -> None:
    _need(clients.BOTO3, "boto3")
    session = conformance_session
    success = Payload(session, "waiter")
    failing = Payload(session, "waiter-error", status=500) if _can_fail(session) else None
    requests = [
        {"name": "success", "input_location": session.put_input(success.body),
         "wait_for": "OutputLocation"},
    ]
    if failing is not None:
        requests.append(
            {"name": "model_error", "input_location": session.put_input(failing.body),
             "wait_for": "FailureLocation"}
        )
    params = {"endpoint": session.target.endpoint_name, "requests": requests, **_waiter(session)}
    run = _run_program(client_runner, session, "boto3-waiters", params, waits=2)
    steps = _steps(run)
    for step in steps.values():
        announced = step.get("announced") or {}
        _remember(session, announced.get("OutputLocation"), announced.get("FailureLocation"))
    wanted = ("IEA-WAITER-001", "IEA-WAITER-002") if failing else ("IEA-WAITER-001",)
    checks = Checks()
    if not _require_ran(checks, run, wanted):
        checks.done()
    evidence = [run.to_evidence()]
    in_service, done = steps.get("endpoint_in_service", {}), steps.get("success", {})
    checks.require(
        in_service.get("ok") and done.get("ok") and success.answered_by(done.get("body")),
        "IEA-WAITER-001",
        expected="endpoint_in_service returns, and object_exists on the OutputLocation returns "
        f"with the model's answer to request {success.tag} there",
        observed=f"endpoint_in_service: {_step_text(in_service)}; object_exists: "
        f"{_step_text(done)}",
        observations=evidence,
    )
    if failing is not None:
        failed = steps.get("model_error", {})
        checks.require(
            failed.get("ok"),
            "IEA-WAITER-002",
            expected="object_exists on the FailureLocation returns for a model that answers 500",
            observed=_step_text(failed),
            observations=evidence,
        )
    checks.done()
