"""deploy-probe's SageMaker steps: the model, the endpoint config, the endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from conformance_deploy.ledger import Ledger
from conformance_deploy.resources import is_gone


def _describe(call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return call()
    except ClientError as exc:
        if is_gone(exc):
            return None
        raise


def _sagemaker_tags(ledger: Ledger, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in ledger.clients.sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
    return tags


def model(ledger: Ledger) -> None:
    sm, plan = ledger.clients.sagemaker, ledger.plan
    found = _describe(lambda: sm.describe_model(ModelName=plan.name))
    if found is None:
        arn = sm.create_model(
            ModelName=plan.name,
            PrimaryContainer=plan.primary_container(),
            ExecutionRoleArn=plan.role_arn,
            Tags=plan.tags(),
        )["ModelArn"]
        ledger.note("model", plan.name, str(arn), created=True)
        return
    ledger.require_tag("model", plan.name, _sagemaker_tags(ledger, found["ModelArn"]))
    ledger.require_same(
        "model",
        plan.name,
        {"PrimaryContainer": plan.primary_container(), "ExecutionRoleArn": plan.role_arn},
        found,
    )
    ledger.note("model", plan.name, str(found["ModelArn"]), created=False)


def endpoint_config(ledger: Ledger) -> None:
    sm, plan = ledger.clients.sagemaker, ledger.plan
    async_config = plan.async_inference_config(
        ledger.topic_arns[plan.success_topic], ledger.topic_arns[plan.error_topic]
    )
    found = _describe(lambda: sm.describe_endpoint_config(EndpointConfigName=plan.name))
    if found is None:
        arn = sm.create_endpoint_config(
            EndpointConfigName=plan.name,
            ProductionVariants=plan.production_variants(),
            AsyncInferenceConfig=async_config,
            Tags=plan.tags(),
        )["EndpointConfigArn"]
        ledger.note("endpoint-config", plan.name, str(arn), created=True)
        return
    ledger.require_tag(
        "endpoint-config", plan.name, _sagemaker_tags(ledger, found["EndpointConfigArn"])
    )
    variants = found.get("ProductionVariants") or [{}]
    ledger.require_same(
        "endpoint-config",
        plan.name,
        {"Variant": plan.production_variants()[0], "AsyncInferenceConfig": async_config},
        {"Variant": variants[0], "AsyncInferenceConfig": found.get("AsyncInferenceConfig")},
    )
    ledger.note("endpoint-config", plan.name, str(found["EndpointConfigArn"]), created=False)


def endpoint(ledger: Ledger) -> None:
    sm, plan = ledger.clients.sagemaker, ledger.plan
    found = _describe(lambda: sm.describe_endpoint(EndpointName=plan.name))
    if found is None:
        arn = sm.create_endpoint(
            EndpointName=plan.name, EndpointConfigName=plan.name, Tags=plan.tags()
        )["EndpointArn"]
        ledger.note("endpoint", plan.name, str(arn), created=True)
        return
    ledger.require_tag("endpoint", plan.name, _sagemaker_tags(ledger, found["EndpointArn"]))
    ledger.require_same("endpoint", plan.name, {"EndpointConfigName": plan.name}, found)
    ledger.note("endpoint", plan.name, str(found["EndpointArn"]), created=False)
