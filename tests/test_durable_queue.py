"""The durable job store of the reference: leases, redelivery, and a job that survives
being written out and read back (by another process, after a crash)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from types import MappingProxyType

from reference.durable import SqliteStore, job_from_message, job_message
from reference.endpoints import EndpointDescription, S3Uri
from reference.jobs import Job, Locations
from reference.request import AsyncRequest


def test_a_taken_job_is_not_taken_again_until_its_lease_runs_out(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "jobs.sqlite"))
    store.put("a")
    store.put("b")
    first = store.take(1, lease_s=0.3)
    assert [body for _, body in first] == ["a"]
    assert [body for _, body in store.take(10, lease_s=0.3)] == ["b"]
    assert store.take(10, lease_s=0.3) == []
    store.extend([first[0][0]], lease_s=60)
    time.sleep(0.4)  # b's lease ran out (a crashed holder); a's was extended
    assert [body for _, body in store.take(10, lease_s=60)] == ["b"]


def test_a_deleted_job_is_gone_and_the_file_outlives_the_process(tmp_path: Path) -> None:
    path = str(tmp_path / "jobs.sqlite")
    store = SqliteStore(path)
    store.put("kept")
    store.put("done")
    handles = {body: handle for handle, body in store.take(10, lease_s=60)}
    store.delete([handles["done"]])
    # Another connection (the restarted process) sees what was committed.
    rows = sqlite3.connect(path).execute("SELECT body FROM jobs").fetchall()
    assert rows == [("kept",)]


def test_a_job_read_back_keeps_its_locations_body_and_age() -> None:
    endpoint = EndpointDescription(
        name="e", config_name="c", output_path=S3Uri("b", "out"), failure_path=None,
        success_topic=None, error_topic=None, include_response_in=frozenset(),
        max_concurrent_per_instance=1, instance_count=1, image="i", container_url="http://x",
    )
    request = AsyncRequest(
        endpoint_name="e", content_type="application/json", accept=None,
        custom_attributes="c=1", inference_id="id-1", input_location=None,
        output_path_extension=None, filename="f.out", ttl_seconds=60,
        invocation_timeout_seconds=5, body=b"\x00binary\xff",
        client_headers=MappingProxyType({"x-a": "1"}),
    )

    async def build() -> Job:
        return Job("id-1", request, endpoint, Locations(S3Uri("b", "out/1.out"), None))

    job = asyncio.run(build())
    message = json.loads(job_message(job))

    async def rebuild() -> Job:
        return job_from_message(message, endpoint)

    again = asyncio.run(rebuild())
    assert again.request == request
    assert again.locations == job.locations and again.inference_id == "id-1"
    assert abs(again.received_at.timestamp() - job.received_at.timestamp()) < 1e-3
