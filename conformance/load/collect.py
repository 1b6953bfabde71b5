"""After a burst: wait for every outcome and for quiet, read the evidence, work out figures.

Waiting has two bounded phases: until every accepted request's outcome is listed
(or ``settle`` runs out), then until nothing under the output and failure paths has
changed for ``quiet`` seconds, so a request run a second time after its first
outcome landed (a duplicate dispatch, a redelivery after a crash) is seen by the
probe records that overwrite it. Objects are then read once, in parallel, and only
what the judgement needs is kept of each.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from conformance.load.burst import BurstRun
from conformance.load.verify import Accepted, Evidence, Fault, ProbeRun

HISTORY_STEP = 400  # read a history window every this many probe sequence numbers
READ_THREADS = 8
POLL_S = 0.5
MAX_OBJECT_BYTES = 1 << 20  # a probe record is a few kB; more is not read


@dataclass(frozen=True)
class Outcomes:
    """Where the target writes outcomes, and how to read them."""

    s3: Any
    prefixes: tuple[str, ...]  # s3:// URIs: the output and failure paths
    limit: int  # MaxConcurrentInvocationsPerInstance x instances
    notifications: bool = False


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def _listing(outcomes: Outcomes, wanted: set[str] | None = None) -> dict[str, str]:
    """location -> ETag of every object under the prefixes."""
    found: dict[str, str] = {}
    for uri in outcomes.prefixes:
        bucket, prefix = _split(uri)
        for page in outcomes.s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                location = f"s3://{bucket}/{item['Key']}"
                if wanted is None or location in wanted:
                    found[location] = f"{item.get('ETag')}|{item.get('LastModified')}"
    return found


def wait_for_outcomes(
    outcomes: Outcomes, accepted: list[dict[str, Any]], *, settle: float, quiet: float
) -> tuple[dict[str, str], float, float]:
    """The final listing, the seconds until all outcomes were there, and until quiet."""
    wanted = {r["output_location"] for r in accepted} | {
        r["failure_location"] for r in accepted if r.get("failure_location")
    }
    start = time.monotonic()
    end = start + settle
    listed = _listing(outcomes, wanted)
    while time.monotonic() < end and not all(
        r["output_location"] in listed or r.get("failure_location") in listed for r in accepted
    ):
        time.sleep(POLL_S)
        listed = _listing(outcomes, wanted)
    all_in = time.monotonic() - start
    stable_since = time.monotonic()
    while time.monotonic() < end and time.monotonic() - stable_since < quiet:
        time.sleep(POLL_S)
        again = _listing(outcomes, wanted)
        if again != listed:
            listed, stable_since = again, time.monotonic()
    return listed, all_in, time.monotonic() - start


@dataclass
class Read:
    location: str
    fingerprint: str
    record: dict[str, Any] | None  # the probe record, history dropped
    history: list[str] | None
    modified: float | None


def _read_one(s3: Any, location: str) -> Read:
    bucket, key = _split(location)
    answer = s3.get_object(Bucket=bucket, Key=key)
    modified = answer.get("LastModified")
    with answer["Body"] as body:
        data = body.read(MAX_OBJECT_BYTES + 1)
    fingerprint = hashlib.sha256(data).hexdigest()
    record = history = None
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("probe") == 1 and parsed.get("tag"):
        history = [str(t) for t in parsed.pop("history", []) or []]
        parsed.pop("headers", None)
        record = parsed
        fingerprint = str(parsed.get("body_sha256"))
    return Read(location, fingerprint, record, history,
                modified.timestamp() if modified else None)


def read_objects(s3: Any, locations: Iterable[str]) -> list[Read]:
    with ThreadPoolExecutor(READ_THREADS) as pool:
        return list(pool.map(lambda loc: _read_one(s3, loc), sorted(locations)))


def repeated_in_history(reads: list[Read]) -> tuple[list[str], frozenset[str]]:
    """Tags the probe's history windows show run more than once, and every tag seen.

    Windows of records HISTORY_STEP sequence numbers apart overlap (a window holds
    the last 1000 runs), so any two runs of one tag less than that far apart are in
    one window. Each extra run is listed once.
    """
    with_history = sorted(
        (r for r in reads if r.record and r.history is not None),
        key=lambda r: int(r.record.get("sequence") or 0),  # type: ignore[union-attr]
    )
    picked: list[Read] = []
    last = None
    for read in with_history:
        sequence = int(read.record.get("sequence") or 0)  # type: ignore[union-attr]
        if last is None or sequence - last >= HISTORY_STEP:
            picked.append(read)
            last = sequence
    if with_history and (not picked or picked[-1] is not with_history[-1]):
        picked.append(with_history[-1])
    extra: dict[str, int] = {}
    seen: set[str] = set()
    for read in picked:
        assert read.history is not None
        seen.update(read.history)
        for tag, count in Counter(read.history).items():
            if count > 1:
                extra[tag] = max(extra.get(tag, 0), count - 1)
    return [t for t, n in extra.items() for _ in range(n)], frozenset(seen)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def timeline(
    burst: BurstRun, completions: list[float], accepted: list[dict[str, Any]], points: int = 120
) -> dict[str, Any]:
    """Accepted, completed and in-flight requests over time (seconds from the start)."""
    start = burst.started_at
    end = max([burst.finished_at, *completions]) if completions else burst.finished_at
    step = max(0.1, (end - start) / points)
    answered = sorted(r["sent_at"] + r["latency_s"] for r in accepted)
    done = sorted(completions)
    t_values, in_flight, completed_per_s, accepted_per_s = [], [], [], []
    a = c = 0
    prev_a = prev_c = 0
    t = start
    while t <= end + step:
        while a < len(answered) and answered[a] <= t:
            a += 1
        while c < len(done) and done[c] <= t:
            c += 1
        t_values.append(round(t - start, 2))
        in_flight.append(a - c)
        accepted_per_s.append(round((a - prev_a) / step, 1))
        completed_per_s.append(round((c - prev_c) / step, 1))
        prev_a, prev_c = a, c
        t += step
    return {"t_s": t_values, "in_flight": in_flight, "accepted_per_s": accepted_per_s,
            "completed_per_s": completed_per_s, "step_s": round(step, 3)}


def _accepted(record: dict[str, Any]) -> bool:
    status = record["status"]
    return status is not None and 200 <= status < 300 and bool(record.get("output_location"))


def build_evidence(
    burst: BurstRun,
    outcomes: Outcomes,
    *,
    settle: float,
    quiet: float,
    notifications: Callable[[], dict[str, tuple[str, ...]]] | None = None,
) -> tuple[Evidence, dict[str, Any]]:
    records = burst.records
    # Accepted: any success answer with an OutputLocation (the contract's is 202; a
    # target answering 200 is judged on its outcomes too, and counted).
    accepted = [r for r in records if _accepted(r)]
    rejected = [r for r in records if r["status"] is not None and not _accepted(r)]
    unanswered = [r for r in records if r["status"] is None]
    listed, all_in_s, quiet_s = wait_for_outcomes(
        outcomes, accepted, settle=settle, quiet=quiet
    )
    reads = read_objects(outcomes.s3, listed)
    by_location = {r.location: r for r in reads}
    repeated, seen_running = repeated_in_history(reads)
    runs = [
        ProbeRun(str(r.record["tag"]), float(r.record["started_at"]),
                 float(r.record["finished_at"]))
        for r in reads if r.record
    ]
    topics = notifications() if notifications else {}
    evidence = Evidence(
        accepted=tuple(
            Accepted(
                r["tag"], r["output_location"], r.get("failure_location"),
                wants_notification=outcomes.notifications,
                expected_sha256=r.get("input_sha256"), kind=r.get("kind", "s3"),
                answered_at=r["sent_at"] + r["latency_s"], ttl_real_s=r.get("ttl_real_s"),
            )
            for r in accepted
        ),
        rejected_locations=tuple(
            loc for r in rejected for loc in (r.get("output_location"), r.get("failure_location"))
            if loc
        ),
        objects={loc: read.fingerprint for loc, read in by_location.items()},
        runs=tuple(runs),
        notified_tags=(),
        concurrency_limit=outcomes.limit,
        repeated_tags=tuple(repeated),
        rejected_tags=tuple(r["tag"] for r in rejected),
        tags_seen_running=seen_running,
        faults=tuple(Fault(f.started_at, f.finished_at) for f in burst.faults),
        notification_topics=topics,
        notifications_configured=outcomes.notifications,
    )
    figures = _figures(burst, accepted, rejected, unanswered, by_location, all_in_s, quiet_s)
    return evidence, figures


def _figures(
    burst: BurstRun,
    accepted: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    unanswered: list[dict[str, Any]],
    by_location: dict[str, Read],
    all_in_s: float,
    quiet_s: float,
) -> dict[str, Any]:
    completion_latency, completions = [], []
    for request in accepted:
        read = by_location.get(request["output_location"]) or by_location.get(
            request.get("failure_location") or ""
        )
        if read is None:
            continue
        # The model's finish (probe clock) when there is a record, else the S3 write time.
        done = float(read.record["finished_at"]) if read.record else read.modified
        if done is None:
            continue
        completions.append(done)
        completion_latency.append(max(0.0, done - request["sent_at"]))
    seconds = burst.seconds
    kinds = Counter(r.get("kind", "s3") for r in accepted)
    return {
        "mode": burst.mode,
        "sent": len(burst.records),
        "accepted": len(accepted),
        "accepted_not_202": sum(r["status"] != 202 for r in accepted),
        "rejected": len(rejected),
        "unanswered": len(unanswered),
        "accepted_by_kind": dict(sorted(kinds.items())),
        "stopped_because": burst.stopped_because,
        "burst_s": round(seconds, 2),
        "all_outcomes_s": round(all_in_s, 2),
        "settle_s": round(quiet_s, 2),
        "accepted_per_s": round(len(accepted) / seconds, 1) if seconds > 0 else None,
        "latency_202_s": percentiles([r["latency_s"] for r in accepted]),
        "completion_latency_s": percentiles(completion_latency),
        "faults": [f.to_dict() for f in burst.faults],
        "timeline": timeline(burst, completions, accepted),
    }
