"""deploy-probe: create, or find and reuse, everything a real-AWS run needs.

Idempotence is by name and tag: every resource has a name derived from the
deployment name; a resource of that name that carries this deployment's tag is
reused, one without it is someone else's and stops the deploy. Settings that
cannot change in place (a model's image, an endpoint config) are compared, and
a difference stops the deploy with the command that resolves it.

The target file is written after every step, so that an interrupted deploy can
still be torn down by ``conformance teardown --target FILE``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import boto3

from conformance.targetfile import TargetFile, TargetFileError, load_target_file
from conformance_deploy import messaging, sagemaker
from conformance_deploy.aws import endpoint_overrides, make_clients
from conformance_deploy.errors import DeployError, clean_errors
from conformance_deploy.ledger import DeployedResource, DeployResult, Ledger
from conformance_deploy.plan import TAG_KEY, ProbePlan
from conformance_deploy.wait import wait_for_endpoint

__all__ = ["DeployResult", "DeployedResource", "deploy_probe"]

POLICY = "deploy-teardown"


def _existing_target(path: Path, name: str) -> TargetFile | None:
    if not path.exists():
        return None
    try:
        existing = load_target_file(path)
    except TargetFileError as exc:
        raise DeployError(f"{exc} (deploy-probe updates this file)") from None
    recorded = existing.deployment
    if recorded is not None and recorded.tag_value != name and recorded.resources:
        # Overwriting would lose the only record of that other deployment.
        raise DeployError(
            f"{path} records deployment {recorded.tag_value!r}; run `conformance teardown "
            f"--target {path}` first, or pass another --target-file"
        )
    return existing


def deploy_probe(
    plan: ProbePlan,
    *,
    target_path: str | os.PathLike[str],
    region: str | None = None,
    wait_timeout: float = 1800.0,
    poll_interval: float = 15.0,
    session: boto3.Session | None = None,
    out: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> DeployResult:
    """Create or reuse the probe deployment, wait for InService, write the target file.

    ``wait_timeout=0`` returns without waiting. Raises ``DeployError``.
    """
    path = Path(target_path)
    existing = _existing_target(path, plan.name)
    endpoints, settings = endpoint_overrides(existing, path)
    clients = make_clients(
        region or (existing.region if existing else None),
        session,
        endpoints={k: v for k, v in endpoints.items() if k != "sagemaker_runtime"},
        endpoint_settings=settings,
    )
    ledger = Ledger(plan, clients, path, existing, endpoints, out)
    out(
        f"deploy-probe: deployment {plan.name} in {clients.region} "
        f"(every resource tagged {TAG_KEY}={plan.name})"
    )
    with clean_errors(clients.endpoint_variables(), POLICY):
        messaging.check_bucket(ledger)
        ledger.save()  # before the first create: teardown must always have a record
        success = messaging.topic(ledger, plan.success_topic)
        error = messaging.topic(ledger, plan.error_topic)
        queue_arn = messaging.queue(ledger)
        messaging.subscription(ledger, success, queue_arn)
        messaging.subscription(ledger, error, queue_arn)
        sagemaker.model(ledger)
        sagemaker.endpoint_config(ledger)
        sagemaker.endpoint(ledger)
        out(f"  wrote target file {path}")
        status = "not waited for"
        if wait_timeout > 0:
            status = wait_for_endpoint(
                lambda: clients.sagemaker.describe_endpoint(EndpointName=plan.name),
                name=plan.name,
                timeout=wait_timeout,
                interval=poll_interval,
                out=out,
                clock=clock,
                sleep=sleep,
            )
    return DeployResult(tuple(ledger.resources), ledger.target(), path, status)
