"""A transcript starts with its header, whatever thread records first.

The slow scenarios start on their own thread with the first check, and both record
inputs at once: `conformance run --record` then `conformance diff --against` failed
with "the first record must be the header" (found walking docs/real-aws.md).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

from conformance.recording import Recorder
from conformance.transcript import TranscriptWriter, read_transcript


class SlowToDescribe:
    """A target whose description takes until another thread has tried to record."""

    endpoint_name = "endpoint-a"
    input_bucket = "bucket-a"

    def __init__(self) -> None:
        self.endpoints: dict[str, str] = {}
        self.describing = threading.Event()
        self.other_recorded = threading.Event()

    def describe(self) -> dict[str, str]:
        self.describing.set()
        # Bounded: with the header written under a lock the other thread cannot record
        # before it, so this wait runs out (1 s) and the header still comes first.
        self.other_recorded.wait(timeout=1.0)
        return {"endpoint_name": self.endpoint_name}


def test_the_header_comes_first_when_two_threads_record_at_once(tmp_path: Path) -> None:
    target = SlowToDescribe()
    session = SimpleNamespace(target=target, scenario_endpoint=None, async_config=None)
    writer = TranscriptWriter(tmp_path / "run.jsonl")
    recorder = Recorder(writer)

    def scenario_thread() -> None:
        assert target.describing.wait(timeout=30)
        recorder.input(session, "s3://bucket-a/inputs/scenario", b"{}")
        target.other_recorded.set()

    other = threading.Thread(target=scenario_thread)
    other.start()
    recorder.input(session, "s3://bucket-a/inputs/check", b"{}")
    other.join(timeout=30)
    writer.close()

    records = read_transcript(tmp_path / "run.jsonl")
    assert [r["type"] for r in records] == ["header", "input", "input"]
    # The header is the session's, not an empty one written by the thread that came second.
    assert records[0]["target"] == {"endpoint_name": "<endpoint-1>"}
