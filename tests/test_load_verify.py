"""The load judgement notices one lost or one twice-run request in a thousand."""

from __future__ import annotations

import dataclasses
import hashlib

from conformance.load.verify import Accepted, Evidence, Fault, ProbeRun, judge

LIMIT = 4


def _sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def burst(count: int, *, drop_every: int = 0, twice_every: int = 0) -> Evidence:
    """A conforming burst's evidence, with the given mutations applied to it."""
    accepted, objects, runs = [], {}, []
    for i in range(count):
        tag = f"t{i:05d}"
        accepted.append(
            Accepted(tag, f"s3://out/{tag}.out", f"s3://fail/{tag}.out",
                     wants_notification=True, expected_sha256=_sha(tag))
        )
        start = (i // LIMIT) * 1.0  # LIMIT at a time, back to back
        runs.append(ProbeRun(tag, start, start + 1.0))
        if drop_every and i % drop_every == drop_every - 1:
            continue
        objects[f"s3://out/{tag}.out"] = _sha(tag)
        if twice_every and i % twice_every == twice_every - 1:
            runs.append(ProbeRun(tag, start + 0.5, start + 0.6))
    return Evidence(
        accepted=tuple(accepted),
        rejected_locations=("s3://out/rejected-1.out",),
        objects=objects,
        runs=tuple(runs),
        notified_tags=(),
        concurrency_limit=LIMIT,
        rejected_tags=("rejected-1",),
        notification_topics={a.tag: ("success",) for a in accepted
                             if a.output_location in objects},
    )


def verdicts(evidence: Evidence) -> dict[str, bool | None]:
    return {f.name: f.passed for f in judge(evidence)}


def findings(evidence: Evidence) -> dict[str, object]:
    return {f.name: f for f in judge(evidence)}


def test_a_conforming_burst_passes_every_judgement() -> None:
    findings = judge(burst(1000))
    untested = {f.name for f in findings if f.passed is None}
    assert untested == {"ttl-respected"}  # no short TTLs in it: nothing to judge
    assert all(f.passed is True for f in findings if f.passed is not None), [
        f.to_dict() for f in findings]
    counts = findings[0].counts
    assert counts["accepted"] == 1000 and counts["outputs"] == 1000 and counts["lost"] == 0


def test_dropping_one_in_a_thousand_is_judged_lost() -> None:
    findings = {f.name: f for f in judge(burst(10_000, drop_every=1000))}
    outcome = findings["exactly-one-outcome"]
    assert outcome.passed is False
    assert outcome.counts["lost"] == 10
    assert outcome.examples[0] == "t00999"
    assert findings["notified"].passed is False


def test_running_one_in_a_thousand_twice_is_judged_duplicated() -> None:
    findings = {f.name: f for f in judge(burst(10_000, twice_every=1000))}
    assert findings["ran-at-most-once"].passed is False
    assert findings["ran-at-most-once"].counts["duplicated"] == 10
    # the second run overlaps LIMIT others: the limit is broken too
    assert findings["concurrency-held"].passed is False
    assert findings["exactly-one-outcome"].passed is True


def test_no_runs_is_no_evidence_not_a_pass() -> None:
    empty = Evidence((), (), {}, (), (), LIMIT)
    got = verdicts(empty)
    assert got["ran-at-most-once"] is None and got["concurrency-held"] is None
    assert got["content-matches"] is None and got["notified"] is None
    assert got["ttl-respected"] is None and got["rejected-left-nothing"] is None
    assert got["exactly-one-outcome"] is None  # nothing accepted: nothing shown


def test_a_rejected_request_that_left_an_object_fails() -> None:
    evidence = burst(10)
    leaky = dataclasses.replace(
        evidence, objects={**evidence.objects, "s3://out/rejected-1.out": _sha("x")}
    )
    assert verdicts(leaky)["rejected-left-nothing"] is False
    ran = dataclasses.replace(evidence, tags_seen_running=frozenset({"rejected-1"}))
    assert verdicts(ran)["rejected-left-nothing"] is False
    assert verdicts(evidence)["rejected-left-nothing"] is True


def test_wrong_content_and_both_outcomes_fail() -> None:
    evidence = burst(10)
    first = evidence.accepted[0]
    objects = {**evidence.objects, first.output_location: _sha("other"),
               first.failure_location: _sha("f")}
    bad = Evidence(evidence.accepted, (), objects, evidence.runs, evidence.notified_tags, LIMIT)
    findings = {f.name: f for f in judge(bad)}
    assert findings["content-matches"].passed is False
    assert findings["exactly-one-outcome"].counts["both"] == 1


def test_a_re_run_after_a_fault_is_counted_and_one_after_every_fault_fails() -> None:
    evidence = burst(10)
    first, last = evidence.accepted[0], evidence.accepted[-1]
    early = dataclasses.replace(first, answered_at=5.0)
    late = dataclasses.replace(last, answered_at=50.0)
    accepted = (early, *evidence.accepted[1:-1], late)
    fault = (Fault(started_at=9.0, finished_at=10.0),)
    again_early = dataclasses.replace(
        evidence, accepted=accepted, faults=fault, repeated_tags=(early.tag,))
    rerun = {f.name: f for f in judge(again_early)}["ran-at-most-once"]
    assert rerun.passed is True and rerun.counts["re_run_after_fault"] == 1
    again_late = dataclasses.replace(again_early, repeated_tags=(late.tag,))
    rerun = {f.name: f for f in judge(again_late)}["ran-at-most-once"]
    assert rerun.passed is False and rerun.counts["duplicated"] == 1


def test_an_expired_request_that_ran_fails_and_a_late_start_is_only_counted() -> None:
    evidence = burst(4)
    short = tuple(dataclasses.replace(a, answered_at=0.0, ttl_real_s=3.0)
                  for a in evidence.accepted)
    in_time = dataclasses.replace(evidence, accepted=short)
    assert verdicts(in_time)["ttl-respected"] is True
    late_runs = (ProbeRun(short[0].tag, 10.0, 10.5), *evidence.runs[1:])
    late = {f.name: f for f in judge(dataclasses.replace(in_time, runs=late_runs))}
    # dequeued in time, then a slow input read: a faithful target may start late
    assert late["ttl-respected"].passed is True
    assert late["ttl-respected"].counts["ran_starting_after_ttl"] == 1
    first = short[0]
    expired = dataclasses.replace(
        in_time, runs=evidence.runs[1:],
        objects={**{k: v for k, v in evidence.objects.items() if k != first.output_location},
                 first.failure_location: "expired"},
    )
    assert verdicts(expired)["ttl-respected"] is True
    ran_anyway = dataclasses.replace(expired, tags_seen_running=frozenset({first.tag}))
    assert verdicts(ran_anyway)["ttl-respected"] is False


def test_repeated_and_wrong_topic_notifications() -> None:
    evidence = burst(10)
    tag = evidence.accepted[0].tag
    twice = dataclasses.replace(evidence, notification_topics={
        **evidence.notification_topics, tag: ("success", "success")})
    got = verdicts(twice)
    assert got["notified"] is True and got["notified-once"] is False
    wrong = dataclasses.replace(evidence, notification_topics={
        **evidence.notification_topics, tag: ("error",)})
    assert verdicts(wrong)["notified"] is False
