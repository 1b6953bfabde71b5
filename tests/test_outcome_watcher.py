"""The run's one outcome watcher and the API call counter, against moto's real S3 server
on loopback: listings instead of one read per key, both outcomes caught, deadlines
kept, every call counted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from conformance.api_calls import ApiCallCounter, merge_counts
from conformance.observe import S3Observer
from conformance.watcher import OutcomeWatcher


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def counted(moto_url: str) -> tuple[Any, ApiCallCounter, str]:
    """A counted S3 client and a fresh bucket."""
    counter = ApiCallCounter()
    s3 = counter.attach(
        boto3.session.Session(
            aws_access_key_id="AKIATESTTESTTESTTEST",
            aws_secret_access_key="secret",
            region_name="us-east-1",
        ).client("s3", endpoint_url=moto_url, config=Config(retries={"max_attempts": 1}))
    )
    bucket = f"watch-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    return s3, counter, bucket


def _watcher(s3: Any, **kw: Any) -> OutcomeWatcher:
    return OutcomeWatcher(S3Observer(s3), s3, **kw)


def test_one_listing_per_prefix_finds_what_landed_and_reads_only_that(counted) -> None:
    s3, counter, bucket = counted
    keys = [f"out/{uuid.uuid4()}.out" for _ in range(5)]
    for key in keys[:3]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"done")
    before = counter.to_dict()["services"]["s3"]["operations"]
    watcher = _watcher(s3, list_threshold=1, max_interval=0.2)
    watches = [
        watcher.watch_locations(f"s3://{bucket}/{key}", None, deadline=1.0) for key in keys
    ]
    outcomes = watcher.wait(watches)
    watcher.close()
    assert [o.kind for o in outcomes] == ["output"] * 3 + ["none"] * 2
    assert all(o.output.body == b"done" for o in outcomes[:3])
    after = counter.to_dict()["services"]["s3"]["operations"]
    # Each landed object read once; the missing keys only ever looked for by listing.
    assert after["GetObject"] - before.get("GetObject", 0) == 3 == watcher.reads
    assert after["ListObjectsV2"] == watcher.listings >= 1


def test_a_target_writing_both_outcomes_is_caught(counted) -> None:
    s3, _, bucket = counted
    request = uuid.uuid4()
    out, fail = f"async-output/{request}.out", f"async-failure/{request}-error.out"
    s3.put_object(Bucket=bucket, Key=out, Body=b"output")
    s3.put_object(Bucket=bucket, Key=fail, Body=b"failure")
    watcher = _watcher(s3)
    [outcome] = watcher.wait(
        [watcher.watch_locations(f"s3://{bucket}/{out}", f"s3://{bucket}/{fail}", deadline=5)]
    )
    watcher.close()
    assert outcome.kind == "both"


def test_an_outcome_landing_after_the_watch_began_is_seen(counted) -> None:
    s3, _, bucket = counted
    key = f"async-output/{uuid.uuid4()}.out"
    watcher = _watcher(s3)
    watch = watcher.watch_locations(f"s3://{bucket}/{key}", None, deadline=30)
    s3.put_object(Bucket=bucket, Key=key, Body=b"late")
    [outcome] = watcher.wait([watch])
    watcher.close()
    assert outcome.kind == "output" and outcome.output.body == b"late"
    assert watcher.quickest is not None


def test_nothing_announced_is_none_at_once_and_close_settles_the_rest(counted) -> None:
    s3, _, bucket = counted
    watcher = _watcher(s3)
    nothing = watcher.watch_locations(None, None, deadline=30)
    assert nothing.done.is_set() and nothing.outcome().kind == "none"
    waiting = watcher.watch_locations(f"s3://{bucket}/never/{uuid.uuid4()}.out", None, deadline=60)
    watcher.close()
    assert waiting.done.is_set() and waiting.outcome().kind == "none"


def test_the_counter_counts_every_call_per_service_and_operation(counted) -> None:
    s3, counter, bucket = counted
    start = counter.total("s3")
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    s3.list_objects_v2(Bucket=bucket)
    s3.list_objects_v2(Bucket=bucket)
    assert counter.total("s3") - start == 3
    document = counter.to_dict()
    assert document["services"]["s3"]["operations"]["ListObjectsV2"] == 2
    assert document["total"] == sum(s["total"] for s in document["services"].values())
    merged = merge_counts([document, document])
    assert merged["total"] == 2 * document["total"]
    assert merged["services"]["s3"]["operations"]["ListObjectsV2"] == 4
