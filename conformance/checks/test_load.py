"""Load: under a burst, every accepted request gets exactly one outcome (profile ``load``).

One bounded burst per run, on Locust in processes of its own (conformance/load), then
every judgement of ``conformance.load.verify`` over what it left: one check per
behaviour, with the burst's counts as evidence whether it passed or failed, and the
burst's figures (accepted/s, latencies, the in-flight timeline) on IEA-LOAD-001.

Opt-in (``--profiles load``, or ``conformance load``, which also injects faults and
runs Locust's distributed mode): a burst is thousands of requests. Its size and shape
come from ``CONFORMANCE_LOAD`` (JSON, written by ``conformance load``), else from the
depth: 1,000 accepted requests at standard, 10,000 at thorough, 200 at quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conformance import depth
from conformance.client import HarnessError
from conformance.load.burst import BurstError, BurstRun, Distribution, run_burst
from conformance.load.collect import Outcomes, build_evidence
from conformance.load.mix import Mix
from conformance.load.verify import Finding, judge
from conformance.observe import NotificationInbox
from conformance.session import ConformanceSession
from conformance.violations import Checks, attach_evidence, note

# What needs the probe (its records) says so per check; without the probe the burst
# still shows lost or doubled outcomes, leftovers of rejected requests, notifications.
needs_probe = pytest.mark.needs_probe

LOAD_ENV = "CONFORMANCE_LOAD"
COUNT_BY_DEPTH = {"quick": 200, "standard": 1000, "thorough": 10_000}
# The kinds of request a revision or configuration must have for them to be sent.
KIND_NEEDS_REVISION = {"inline": "2026", "named": "2026-02", "timeout": "2023-01"}
KINDS_NEEDING_FAILURE_PATH = ("model-error", "timeout")


def load_options() -> dict[str, Any]:
    text = os.environ.get(LOAD_ENV, "")
    options: dict[str, Any] = json.loads(text) if text else {}
    options.setdefault("count", COUNT_BY_DEPTH.get(depth.current_depth(), 1000))
    options.setdefault("users", 20)
    options.setdefault("spawn_rate", 50.0)
    options.setdefault("budget", max(120.0, options["count"] / 10))
    options.setdefault("settle", max(300.0, options["count"] / 5))
    options.setdefault("quiet", 3.0)
    return options


def _mix_for(session: ConformanceSession, text: str) -> str:
    """The requested mix without kinds this target cannot be sent (revision, no failure path)."""
    mix = Mix.parse(text)
    config = session.async_config
    kept = {
        kind: share
        for kind, share in mix.weights
        if session.revision_has(KIND_NEEDS_REVISION.get(kind, "2021-08"))
        and not (kind in KINDS_NEEDING_FAILURE_PATH and not (config and config.s3_failure_path))
    }
    if not session.target.probe:  # only the probe can be told to fail or to sleep
        kept = {k: w for k, w in kept.items() if k in ("s3", "inline", "named", "invalid")}
    return Mix(tuple(kept.items())).to_text() if kept else "s3=1"


@dataclass
class LoadObservation:
    options: dict[str, Any]
    burst: BurstRun
    findings: dict[str, Finding]
    figures: dict[str, Any]


def _plan(session: ConformanceSession, options: dict[str, Any]) -> dict[str, Any]:
    frozen = session._boto.get_credentials().get_frozen_credentials()
    input_prefix = f"{session.run_prefix}/load/"
    return {
        "run_id": uuid.uuid4().hex[:8], "count": int(options["count"]),
        "users": int(options["users"]), "spawn_rate": float(options["spawn_rate"]),
        "target_rate": options.get("target_rate"), "budget_s": float(options["budget"]),
        "mix": _mix_for(session, options.get("mix", "")),
        "endpoint_url": session.runtime_url, "s3_url": session.target.endpoint_url("s3"),
        "region": session.target.region, "endpoint_name": session.target.endpoint_name,
        "access_key": frozen.access_key, "secret_key": frozen.secret_key,
        "session_token": frozen.token, "clock_scale": session.target.clock_scale,
        "input_bucket": session.target.input_bucket, "input_prefix": input_prefix,
        "read_timeout_s": 30.0,
    }


class Drainer:
    """Reads the inbox while the burst runs, so its queue stays short (moto's SQS scans
    every queued message on each receive: thousands queued would take hours to read)."""

    def __init__(self, inbox: NotificationInbox) -> None:
        self.inbox = inbox
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-inbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a failed read is retried; nothing lost
                self.inbox._drain(wait_seconds=1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


def _inbox(session: ConformanceSession) -> NotificationInbox | None:
    config = session.async_config
    topics = [t for t in (config.success_topic, config.error_topic) if t] if config else []
    if not topics:
        return None
    inbox = NotificationInbox(
        sqs=session.sqs, sns=session.sns, topics=topics, queue_name=f"{session.run_id}-load"[:80]
    )
    inbox.open()
    return inbox


def _topics_by_tag(inbox: NotificationInbox, session: ConformanceSession, quiet: float):  # type: ignore[no-untyped-def]
    """Read the inbox until it has been quiet for ``quiet`` seconds (bounded)."""
    import time

    config = session.async_config
    end = time.monotonic() + 120.0
    stable_since, seen = time.monotonic(), inbox.received
    while time.monotonic() < end and time.monotonic() - stable_since < quiet:
        time.sleep(0.5)  # the drainer reads; this waits until nothing more arrives
        if inbox.received != seen:
            stable_since, seen = time.monotonic(), inbox.received
    names = {config.success_topic: "success", config.error_topic: "error"} if config else {}
    by_tag: dict[str, tuple[str, ...]] = {}
    with inbox._lock:
        for inference_id, notes in inbox._by_id.items():
            if inference_id:
                by_tag[inference_id] = tuple(names.get(n.topic_arn, "other") for n in notes)
    return by_tag


def _remove(session: ConformanceSession, burst: BurstRun, plan: dict[str, Any]) -> None:
    """Delete the burst's inputs and outcomes (only those: the run's own objects)."""
    by_bucket: dict[str, list[str]] = {}
    for record in burst.records:
        for location in (record.get("output_location"), record.get("failure_location")):
            if location and location.startswith("s3://"):
                bucket, _, key = location[5:].partition("/")
                by_bucket.setdefault(bucket, []).append(key)
        by_bucket.setdefault(plan["input_bucket"], []).append(
            f"{plan['input_prefix']}{record['tag']}.json"
        )
    for bucket, keys in by_bucket.items():
        for start in range(0, len(keys), 1000):
            # Clean-up is best effort; the verdicts are already in.
            with contextlib.suppress(Exception):
                session.s3.delete_objects(Bucket=bucket, Delete={
                    "Objects": [{"Key": k} for k in keys[start : start + 1000]], "Quiet": True})


@pytest.fixture(scope="module")
def load_run(conformance_session: ConformanceSession) -> Iterator[LoadObservation]:
    session = conformance_session
    options = load_options()
    plan = _plan(session, options)
    inbox = _inbox(session)
    drainer = Drainer(inbox) if inbox else None
    config = session.async_config
    assert config is not None
    prefixes = tuple(p for p in (config.s3_output_path, config.s3_failure_path) if p)
    try:
        burst = run_burst(
            plan,
            distribution=Distribution(
                workers=int(options.get("workers", 0)),
                expect=int(options.get("expect_workers", options.get("workers", 0))),
                bind=str(options.get("bind", "127.0.0.1:0")),
            ),
            fault_command=options.get("fault_command"),
            fault_at=float(options.get("fault_at", 0.0)),
            worker_env={"AWS_ACCESS_KEY_ID": plan["access_key"],
                        "AWS_SECRET_ACCESS_KEY": plan["secret_key"],
                        **({"AWS_SESSION_TOKEN": plan["session_token"]}
                           if plan["session_token"] else {})},
        )
    except BurstError:
        if drainer:
            drainer.stop()
        if inbox:
            inbox.close()
        raise
    if not burst.records:
        if drainer:
            drainer.stop()
        if inbox:
            inbox.close()
        raise HarnessError(
            f"the load driver sent no request ({burst.stopped_because or 'no reason given'}); "
            "nothing was judged"
        )
    try:
        evidence, figures = build_evidence(
            burst,
            Outcomes(session.s3, prefixes, config.concurrency_limit,
                     notifications=inbox is not None),
            settle=float(options["settle"]), quiet=float(options["quiet"]),
            notifications=(lambda: _topics_by_tag(inbox, session, float(options["quiet"])))
            if inbox else None,
        )
    finally:
        if drainer:
            drainer.stop()
        if inbox:
            inbox.close()
    figures["mix"] = plan["mix"]
    figures["limit"] = config.concurrency_limit
    findings = {f.behaviour: f for f in judge(evidence)}
    figures["findings"] = {f.behaviour: f.counts for f in findings.values()}
    report = options.get("figures_path")
    if report:
        with open(report, "w") as out:
            json.dump(figures, out, indent=2)
    yield LoadObservation(options, burst, findings, figures)
    _remove(session, burst, plan)


def _judged(observation: LoadObservation, behaviour: str) -> None:
    finding = observation.findings[behaviour]
    counts = ", ".join(f"{k}={v}" for k, v in finding.counts.items())
    evidence: dict[str, Any] = {"counts": finding.counts, "examples": list(finding.examples)}
    if behaviour == "IEA-LOAD-001":
        evidence["load"] = observation.figures
    if finding.passed is None:
        pytest.skip(f"no evidence in this burst ({counts}): untested, not a pass")
    attach_evidence(behaviour, evidence)
    note(behaviour, f"{finding.name}: {counts}")
    checks = Checks()
    checks.require(
        finding.passed,
        behaviour,
        expected=finding.expected,
        observed=f"{counts}; examples: {', '.join(finding.examples) or 'none'}",
        observations=[{"kind": "note", **evidence}],
    )
    checks.done()


@pytest.mark.behaviour("IEA-LOAD-001")
def test_every_accepted_request_has_exactly_one_outcome(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-001")


@pytest.mark.behaviour("IEA-LOAD-002")
@needs_probe
def test_each_output_is_the_answer_to_its_own_input(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-002")


@pytest.mark.behaviour("IEA-LOAD-003")
@needs_probe
def test_no_accepted_request_runs_twice(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-003")


@pytest.mark.behaviour("IEA-LOAD-004")
@needs_probe
def test_the_concurrency_limit_holds_under_a_burst(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-004")


@pytest.mark.behaviour("IEA-LOAD-005")
def test_rejected_requests_leave_nothing(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-005")


@pytest.mark.behaviour("IEA-LOAD-006")
@needs_probe
def test_no_request_runs_after_its_ttl(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-006")


@pytest.mark.behaviour("IEA-LOAD-007")
def test_every_accepted_request_is_notified(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-007")


@pytest.mark.behaviour("IEA-LOAD-008")
def test_no_request_is_notified_twice(load_run: LoadObservation) -> None:
    _judged(load_run, "IEA-LOAD-008")
