"""Hygiene: everything the suite writes lives under its per-run prefix and is gone
at the end; objects outside the prefix are never touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from mutants.runner import check, run_suite

from reference.stack import EmbeddedStack, StackSettings


@pytest.fixture(scope="module")
def stack() -> Iterator[StackSettings]:
    with EmbeddedStack(clock_scale=0.05) as settings:
        yield settings


def _client(settings: StackSettings, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=settings.moto_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
    )


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def _everything(s3, bucket: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o["ETag"] for page in pages for o in page.get("Contents", [])}


def test_the_suite_leaves_nothing_behind_and_touches_nothing_else(
    stack: StackSettings, tmp_path: Path
) -> None:
    s3, sqs, sns = (_client(stack, s) for s in ("s3", "sqs", "sns"))
    input_bucket, input_prefix = _split(stack.input_s3)
    sentinels = {
        (input_bucket, "sentinel/outside-the-prefix"),
        (input_bucket, f"{input_prefix.rstrip('/')}-sibling/keep"),
        _split(stack.output_path.rstrip("/") + "/sentinel.out"),
        _split(stack.failure_path.rstrip("/") + "/sentinel-error.out"),
    }
    for bucket, key in sentinels:
        s3.put_object(Bucket=bucket, Key=key, Body=f"sentinel {key}".encode())
    buckets = {bucket for bucket, _ in sentinels} | {_split(stack.output_path)[0]}
    before = {bucket: _everything(s3, bucket) for bucket in buckets}
    queues_before = set(sqs.list_queues().get("QueueUrls", []))
    subscriptions_before = {
        s["SubscriptionArn"] for s in sns.list_subscriptions().get("Subscriptions", [])
    }

    env = {**stack.env, "CONFORMANCE_CLOCK_SCALE": str(stack.clock_scale)}
    run = run_suite(
        "hygiene",
        env,
        (*check("test_wire"), *check("test_output"), *check("test_notifications"),
         *check("test_inference_id"), *check("test_failure")),
        workdir=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.describe()

    for bucket in buckets:
        after = _everything(s3, bucket)
        assert after == before[bucket], {
            "left behind": sorted(set(after) - set(before[bucket])),
            "removed or changed": sorted(
                k for k in before[bucket] if after.get(k) != before[bucket][k]
            ),
        }
    for bucket, key in sentinels:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body == f"sentinel {key}".encode()
    assert set(sqs.list_queues().get("QueueUrls", [])) == queues_before
    subscriptions_after = {
        s["SubscriptionArn"] for s in sns.list_subscriptions().get("Subscriptions", [])
    }
    assert subscriptions_after == subscriptions_before
