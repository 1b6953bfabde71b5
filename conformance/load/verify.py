"""Judge the evidence a burst left behind: every accepted request has exactly one outcome.

The burst driver (Locust, in its own processes) records what it sent and what the
target answered; the collector (``conformance.load.collect``) lists the outcome
objects, the notifications and the probe's runs. This module only judges that
evidence, so the judgement is the same whichever engine produced it and can be
tested on hand-made evidence. Each judgement is one behaviour of the ``load``
profile (``IEA-LOAD-*``); counts are the evidence: accepted, rejected, outputs,
failures, lost, duplicated, re-runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# A probe run of a request that starts this long after its TTL elapsed (as bounded
# from the client's side) proves it ran late: covers clock skew between the probe's
# host and the client's.
TTL_MARGIN_S = 1.0


@dataclass(frozen=True)
class Accepted:
    """One request the target answered 202, keyed by the probe tag it carries."""

    tag: str
    output_location: str
    failure_location: str | None
    wants_notification: bool = False
    expected_sha256: str | None = None  # of the input this request sent, when known
    kind: str = "s3"
    answered_at: float = 0.0  # epoch seconds the 202 arrived (client clock)
    ttl_real_s: float | None = None  # its RequestTTLSeconds in real seconds, when short


@dataclass(frozen=True)
class ProbeRun:
    """One invocation the probe served: the tag it carried and when it ran."""

    tag: str
    started_at: float
    finished_at: float


@dataclass(frozen=True)
class Fault:
    """A fault command that ran during the burst (epoch seconds, client clock)."""

    started_at: float
    finished_at: float


@dataclass(frozen=True)
class Evidence:
    accepted: tuple[Accepted, ...]
    rejected_locations: tuple[str, ...]
    # location -> fingerprint of the object listed there after the burst: for a probe
    # record, the sha256 of the request body the probe says it received; else of the bytes
    objects: Mapping[str, str]
    runs: tuple[ProbeRun, ...]
    notified_tags: tuple[str, ...]
    concurrency_limit: int
    # Runs the probe's own history shows beyond one per tag (its window is bounded).
    repeated_tags: tuple[str, ...] = ()
    rejected_tags: tuple[str, ...] = ()
    # Tags the probe's history windows show ran at all (rejected ones must not be there).
    tags_seen_running: frozenset[str] = frozenset()
    faults: tuple[Fault, ...] = ()
    # tag -> topics its notifications came on ("success"/"error"), when topics are set
    notification_topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notifications_configured: bool = False


@dataclass(frozen=True)
class Finding:
    name: str
    behaviour: str
    # None: the precondition never happened (nothing to judge): untested, never pass
    passed: bool | None
    counts: dict[str, int] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    expected: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "behaviour": self.behaviour,
            "status": {True: "pass", False: "fail", None: "untested"}[self.passed],
            "counts": dict(self.counts),
            "examples": list(self.examples),
        }


EXAMPLES = 5  # tags quoted per finding; counts carry the rest


def _examples(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(items)[:EXAMPLES])


def exactly_one_outcome(evidence: Evidence) -> Finding:
    lost: list[str] = []
    both: list[str] = []
    outputs = failures = 0
    for request in evidence.accepted:
        has_output = request.output_location in evidence.objects
        has_failure = (
            request.failure_location is not None
            and request.failure_location in evidence.objects
        )
        outputs += has_output
        failures += has_failure
        if has_output and has_failure:
            both.append(request.tag)
        elif not (has_output or has_failure):
            lost.append(request.tag)
    locations = Counter(r.output_location for r in evidence.accepted)
    shared = [loc for loc, n in locations.items() if n > 1]
    return Finding(
        "exactly-one-outcome", "IEA-LOAD-001",
        (not lost and not both and not shared) if evidence.accepted else None,
        {
            "accepted": len(evidence.accepted),
            "outputs": outputs,
            "failures": failures,
            "lost": len(lost),
            "both": len(both),
            "shared_locations": len(shared),
        },
        _examples(lost + both + shared),
        "every accepted request: one object at its OutputLocation or its FailureLocation",
    )


def content_matches(evidence: Evidence) -> Finding:
    checked = 0
    wrong: list[str] = []
    for request in evidence.accepted:
        got = evidence.objects.get(request.output_location)
        if request.expected_sha256 is None or got is None:
            continue
        checked += 1
        if got != request.expected_sha256:
            wrong.append(request.tag)
    # No evidence, no pass: a burst with nothing to compare proves nothing.
    return Finding(
        "content-matches", "IEA-LOAD-002", (not wrong) if checked else None,
        {"checked": checked, "wrong": len(wrong)}, _examples(wrong),
        "each output: the probe's record of that request's own input (sha256)",
    )


def _before_a_fault(request: Accepted, faults: tuple[Fault, ...]) -> bool:
    return any(request.answered_at <= fault.finished_at for fault in faults)


def ran_at_most_once(evidence: Evidence) -> Finding:
    per_tag = Counter(run.tag for run in evidence.runs)
    per_tag.update(evidence.repeated_tags)
    accepted = {r.tag: r for r in evidence.accepted}
    twice = [tag for tag, n in per_tag.items() if n > 1 and tag in accepted]
    # At least once across a crash: a request the service held when a fault struck
    # may run again; one accepted after every fault may not.
    excused = [t for t in twice if _before_a_fault(accepted[t], evidence.faults)]
    unexcused = [t for t in twice if t not in excused]
    return Finding(
        "ran-at-most-once", "IEA-LOAD-003", (not unexcused) if evidence.runs else None,
        {"runs": len(evidence.runs), "duplicated": len(unexcused),
         "re_run_after_fault": len(excused), "faults": len(evidence.faults),
         "extra_runs": sum(per_tag[t] - 1 for t in twice)},
        _examples(unexcused),
        "no accepted request run twice by the model (re-runs of requests accepted "
        "before an injected fault are counted, not failed)",
    )


def concurrency_held(evidence: Evidence) -> Finding:
    # Sweep the run intervals: +1 at start, -1 at finish; a finish at the same
    # instant as a start is counted first, as the slot is free again.
    edges = sorted(
        [(run.started_at, 1) for run in evidence.runs]
        + [(run.finished_at, -1) for run in evidence.runs]
    )
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return Finding(
        "concurrency-held", "IEA-LOAD-004",
        (peak <= evidence.concurrency_limit) if evidence.runs else None,
        {"peak": peak, "limit": evidence.concurrency_limit, "runs": len(evidence.runs)},
        expected=f"at most {evidence.concurrency_limit} invocations at once",
    )


def rejected_left_nothing(evidence: Evidence) -> Finding:
    left = [loc for loc in evidence.rejected_locations if loc in evidence.objects]
    ran = [t for t in evidence.rejected_tags if t in evidence.tags_seen_running]
    ran += [r.tag for r in evidence.runs if r.tag in set(evidence.rejected_tags)]
    ran = sorted(set(ran))
    judged = bool(evidence.rejected_tags or evidence.rejected_locations)
    return Finding(
        "rejected-left-nothing", "IEA-LOAD-005", (not left and not ran) if judged else None,
        {"rejected": max(len(evidence.rejected_tags), len(evidence.rejected_locations)),
         "left_behind": len(left), "ran": len(ran)},
        _examples(left + ran),
        "no object and no probe run for any rejected request",
    )


def ttl_respected(evidence: Evidence) -> Finding:
    """A short-TTL request reported failed must never have run. How late a run started
    is counted, not judged: the service dequeues before its TTL and may then read a
    large input, so a run may start after the TTL on a faithful target."""
    runs = {run.tag: run for run in evidence.runs}
    short = [r for r in evidence.accepted if r.ttl_real_s is not None]
    failed_but_ran: list[str] = []
    expired = ran = started_after_ttl = 0
    for request in short:
        assert request.ttl_real_s is not None
        run = runs.get(request.tag)
        failed = bool(request.failure_location) and request.failure_location in evidence.objects
        if run is None:
            if failed:
                expired += 1
                if request.tag in evidence.tags_seen_running:
                    failed_but_ran.append(request.tag)
            continue
        ran += 1
        if run.started_at > request.answered_at + request.ttl_real_s + TTL_MARGIN_S:
            started_after_ttl += 1
    return Finding(
        "ttl-respected", "IEA-LOAD-006", (not failed_but_ran) if short else None,
        {"short_ttl": len(short), "ran": ran, "failed_unrun": expired,
         "failed_but_ran": len(failed_but_ran), "ran_starting_after_ttl": started_after_ttl},
        _examples(failed_but_ran),
        "a short-TTL request reported failed was never run by the model",
    )


def notified(evidence: Evidence) -> Finding:
    wanted = [r for r in evidence.accepted if r.wants_notification]
    missing, wrong_topic = [], []
    for request in wanted:
        topics = evidence.notification_topics.get(request.tag, ())
        if not topics:
            missing.append(request.tag)
            continue
        has_output = request.output_location in evidence.objects
        has_failure = bool(request.failure_location) and (
            request.failure_location in evidence.objects)
        expected = "success" if has_output else ("error" if has_failure else None)
        if expected and expected not in topics:
            wrong_topic.append(request.tag)
    return Finding(
        "notified", "IEA-LOAD-007",
        (not missing and not wrong_topic) if wanted else None,
        {"wanted": len(wanted), "missing": len(missing), "wrong_topic": len(wrong_topic)},
        _examples(missing + wrong_topic),
        "every accepted request notified, on the success topic for an output and the "
        "error topic for a failure",
    )


def notified_once(evidence: Evidence) -> Finding:
    wanted = [r for r in evidence.accepted if r.wants_notification]
    repeated = [r.tag for r in wanted if len(evidence.notification_topics.get(r.tag, ())) > 1]
    # No notification at all says nothing about repeats (IEA-LOAD-007 fails on that).
    any_seen = any(evidence.notification_topics.get(r.tag) for r in wanted)
    return Finding(
        "notified-once", "IEA-LOAD-008", (not repeated) if any_seen else None,
        {"wanted": len(wanted), "repeated": len(repeated), "faults": len(evidence.faults)},
        _examples(repeated),
        "no accepted request notified more than once",
    )


JUDGES = (
    exactly_one_outcome,
    content_matches,
    ran_at_most_once,
    concurrency_held,
    rejected_left_nothing,
    ttl_respected,
    notified,
    notified_once,
)


def judge(evidence: Evidence) -> list[Finding]:
    return [check(evidence) for check in JUDGES]
