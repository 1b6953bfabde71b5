"""Judge the evidence a burst left behind: every accepted request has exactly one outcome.

The burst driver (Locust, in its own processes) records what it sent and what the
target answered; the collector lists the outcome objects, the notifications and the
probe's runs. This module only judges that evidence, so the judgement is the same
whichever engine produced it and can be tested on hand-made evidence.
Counts are the evidence: accepted, rejected, outputs, failures, lost, duplicated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Accepted:
    """One request the target answered 202, keyed by the probe tag it carries."""

    tag: str
    output_location: str
    failure_location: str | None
    wants_notification: bool = False
    expected_sha256: str | None = None  # of the input this request sent, when known


@dataclass(frozen=True)
class ProbeRun:
    """One invocation the probe served: the tag it carried and when it ran."""

    tag: str
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


@dataclass(frozen=True)
class Finding:
    name: str
    # None: the precondition never happened (nothing to judge): untested, never pass
    passed: bool | None
    counts: dict[str, int] = field(default_factory=dict)
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
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
        "exactly-one-outcome",
        not lost and not both and not shared,
        {
            "accepted": len(evidence.accepted),
            "outputs": outputs,
            "failures": failures,
            "lost": len(lost),
            "both": len(both),
            "shared_locations": len(shared),
        },
        _examples(lost + both + shared),
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
        "content-matches", (not wrong) if checked else None,
        {"checked": checked, "wrong": len(wrong)}, _examples(wrong),
    )


def ran_at_most_once(evidence: Evidence) -> Finding:
    per_tag = Counter(run.tag for run in evidence.runs)
    per_tag.update(evidence.repeated_tags)
    accepted = {r.tag for r in evidence.accepted}
    twice = [tag for tag, n in per_tag.items() if n > 1 and tag in accepted]
    return Finding(
        "ran-at-most-once", (not twice) if evidence.runs else None,
        {"runs": len(evidence.runs), "duplicated": len(twice),
         "extra_runs": sum(per_tag[t] - 1 for t in twice)},
        _examples(twice),
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
        "concurrency-held", (peak <= evidence.concurrency_limit) if evidence.runs else None,
        {"peak": peak, "limit": evidence.concurrency_limit},
    )


def one_notification(evidence: Evidence) -> Finding:
    seen = Counter(evidence.notified_tags)
    wanted = [r.tag for r in evidence.accepted if r.wants_notification]
    missing = [t for t in wanted if seen[t] == 0]
    repeated = [t for t in wanted if seen[t] > 1]
    return Finding(
        "one-notification", (not missing and not repeated) if wanted else None,
        {"wanted": len(wanted), "missing": len(missing), "repeated": len(repeated)},
        _examples(missing + repeated),
    )


def rejected_left_nothing(evidence: Evidence) -> Finding:
    left = [loc for loc in evidence.rejected_locations if loc in evidence.objects]
    return Finding(
        "rejected-left-nothing", not left,
        {"rejected": len(evidence.rejected_locations), "left_behind": len(left)},
        _examples(left),
    )


JUDGES = (
    exactly_one_outcome,
    content_matches,
    ran_at_most_once,
    concurrency_held,
    one_notification,
    rejected_left_nothing,
)


def judge(evidence: Evidence) -> list[Finding]:
    return [check(evidence) for check in JUDGES]
