"""The results document: per-behaviour verdicts built from test records.

``build_results(run, records, catalogue)`` is the one place outcomes become
statuses; every renderer reads only the ``Results`` it returns (or its JSON,
replayed with ``Results.from_dict``). See ``reports/results.schema.json``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from reports.applicability import (
    BehaviourLike,
    area_of,
    claimed_profiles,
    normalize_revision,
    not_applicable_reason,
)
from reports.records import BehaviourResult, RunInfo, TestRecord
from reports.redact import environment_secrets, redact
from reports.status import combine, status_of_outcome
from reports.summary import summarize

__all__ = ["SCHEMA_VERSION", "BehaviourResult", "Results", "RunInfo", "TestRecord", "build_results"]

SCHEMA_VERSION = 1
STALE_EXPECTATION = (
    "expected to fail, but passed: the expectation is stale; "
    "remove it from the target's expectations file"
)


@dataclass(frozen=True)
class Results:
    """A whole run: what ran, each behaviour's result, and tests naming no known behaviour."""

    run: RunInfo
    behaviours: tuple[BehaviourResult, ...]
    unmapped_tests: tuple[TestRecord, ...] = field(default=())

    @cached_property
    def claimed_profiles(self) -> tuple[str, ...]:
        return claimed_profiles(self.run.target, (b.profile for b in self.behaviours))

    @cached_property
    def summary(self) -> dict[str, Any]:
        return summarize(
            self.behaviours,
            claimed_profiles=self.claimed_profiles,
            pytest_exit_code=self.run.pytest_exit_code,
        )

    @property
    def conformant(self) -> bool:
        return bool(self.summary["conformant"])

    @property
    def harness_failed(self) -> bool:
        """Errors and no failure: the run says more about the harness than the target."""
        statuses = {b.status for b in self.behaviours if b.claimed}
        statuses |= {status_of_outcome(t.outcome) for t in self.unmapped_tests}
        return "error" in statuses and "fail" not in statuses

    def exit_code(self) -> int:
        """0 conformant, 1 not conformant, 3 harness failed (``conformance_cli.exits`` codes)."""
        if self.harness_failed:
            return 3
        return 0 if self.conformant else 1

    def behaviour(self, behaviour_id: str) -> BehaviourResult:
        for result in self.behaviours:
            if result.id == behaviour_id:
                return result
        raise KeyError(behaviour_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "run": self.run.to_dict(),
            "conformant": self.conformant,
            "summary": self.summary,
            "behaviours": [b.to_dict() for b in self.behaviours],
            "unmapped_tests": [t.to_dict() for t in self.unmapped_tests],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Results:
        """Replay a document; ``summary`` and ``conformant`` are derived again, not trusted."""
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"schema_version={version!r}; this version reads {SCHEMA_VERSION}")
        return cls(
            run=RunInfo.from_dict(data["run"]),
            behaviours=tuple(BehaviourResult.from_dict(b) for b in data["behaviours"]),
            unmapped_tests=tuple(TestRecord.from_dict(t) for t in data.get("unmapped_tests", ())),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read_json(cls, path: str | Path) -> Results:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def build_results(
    run: RunInfo,
    records: Iterable[TestRecord],
    catalogue: Iterable[BehaviourLike],
    *,
    secrets: Iterable[str] = (),
) -> Results:
    """Aggregate ``records`` per catalogue behaviour; redact everything stored.

    ``secrets`` are extra strings to remove (credentials the caller resolved);
    the AWS credential variables of the environment are always removed.
    """
    run, records = _redacted(run, list(records), secrets)
    behaviours = [b for b in catalogue if not getattr(b, "retired", False)]
    known = {b.id for b in behaviours}
    by_behaviour: dict[str, list[TestRecord]] = defaultdict(list)
    unmapped = []
    for record in records:
        record = _explain_xpass(record)
        ids = [i for i in dict.fromkeys(record.behaviours) if i in known]
        if not ids:
            unmapped.append(record)
        for behaviour_id in ids:
            by_behaviour[behaviour_id].append(record)
    profiles = claimed_profiles(run.target, (b.profile for b in behaviours))
    revision = normalize_revision(run.target.get("revision"))
    results = tuple(
        _judge(b, by_behaviour.get(b.id, []), profiles=profiles, revision=revision)
        for b in behaviours
    )
    return Results(run=run, behaviours=results, unmapped_tests=tuple(unmapped))


def _redacted(
    run: RunInfo, records: list[TestRecord], secrets: Iterable[str]
) -> tuple[RunInfo, list[TestRecord]]:
    # One pass over everything, so a value harvested from one record's headers
    # is also removed from another record's curl line.
    clean = redact(
        {"run": run.to_dict(), "records": [r.to_dict() for r in records]},
        secrets=[*secrets, *environment_secrets()],
    )
    return RunInfo.from_dict(clean["run"]), [TestRecord.from_dict(r) for r in clean["records"]]


def _explain_xpass(record: TestRecord) -> TestRecord:
    if record.outcome != "xpassed":
        return record
    detail = f" (expected because: {record.reason})" if record.reason else ""
    message = f"{STALE_EXPECTATION}{detail}"
    if record.message:
        message = f"{message}\n{record.message}"
    return replace(record, message=message)


def _judge(
    behaviour: BehaviourLike, tests: list[TestRecord], *, profiles: tuple[str, ...], revision: str
) -> BehaviourResult:
    not_claimed = not_applicable_reason(behaviour, profiles=profiles, revision=revision)
    if not_claimed:
        status, reason = "skip", not_claimed
    elif not tests:
        status, reason = "untested", "no test judged this behaviour"
    else:
        status = combine(status_of_outcome(t.outcome) for t in tests)
        reason = _reason(status, tests)
    return BehaviourResult(
        id=behaviour.id,
        level=behaviour.level,
        statement=behaviour.statement,
        revision=behaviour.revision,
        profile=behaviour.profile,
        area=area_of(behaviour),
        source=behaviour.source,
        claimed=not not_claimed,
        status=status,
        reason=reason,
        tests=tuple(tests),
    )


def _reason(status: str, tests: list[TestRecord]) -> str:
    """The text explaining a skip, an xfail or a stale expectation."""
    if status == "fail" and any(t.outcome == "xpassed" for t in tests):
        return STALE_EXPECTATION
    outcome = {"skip": "skipped", "xfail": "xfailed"}.get(status)
    if outcome is None:
        return ""
    reasons = [t.reason for t in tests if t.outcome == outcome]
    if status == "xfail" and not all(reasons):
        return ""  # an expected failure without a reason does not count as met
    return "; ".join(dict.fromkeys(r for r in reasons if r))
