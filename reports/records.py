"""The records of a results document: one ``TestRecord`` per test and one ``RunInfo``
(what the pytest plugin hands to ``reports``), and one ``BehaviourResult`` per behaviour.

All are frozen records with ``to_dict``/``from_dict``; the dict forms are the
shapes ``reports/results.schema.json`` describes (``$defs/test`` and ``$defs/run``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.status import OUTCOMES


@dataclass(frozen=True)
class TestRecord:
    """One test's outcome and the evidence it gathered.

    ``evidence`` keys (all optional): ``expected``, ``observed`` (text);
    ``request`` ``{method, url, headers, body_preview, body_length}``;
    ``response`` ``{status, headers, body_preview}``; ``observations``
    (a list of ``{kind: "s3-object"|"notification"|"probe-record"|"note", ...}``);
    ``reproduction`` ``{boto3, curl}``.
    """

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    behaviours: tuple[str, ...]
    outcome: str
    duration: float
    message: str = ""
    evidence: dict[str, Any] | None = None
    example: str | None = None
    reason: str = ""
    link: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome={self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        if not isinstance(self.behaviours, tuple):
            object.__setattr__(self, "behaviours", tuple(self.behaviours))

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "behaviours": list(self.behaviours),
            "outcome": self.outcome,
            "duration": self.duration,
            "message": self.message,
            "evidence": copy.deepcopy(self.evidence),
            "example": self.example,
            "reason": self.reason,
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestRecord:
        return cls(
            nodeid=data["nodeid"],
            behaviours=tuple(data.get("behaviours", ())),
            outcome=data["outcome"],
            duration=float(data.get("duration", 0.0)),
            message=data.get("message") or "",
            evidence=copy.deepcopy(data.get("evidence")),
            example=data.get("example"),
            reason=data.get("reason") or "",
            link=data.get("link") or "",
        )


@dataclass(frozen=True)
class RunInfo:
    """What ran, against what, and what reproduces it.

    ``target`` holds ``name, endpoint_name, urls {service: url}, region,
    revision, profiles, probe, clock_scale, implementation {name, version}``;
    never credentials (``build_results`` redacts it regardless).
    """

    suite_version: str
    spec_revision: str
    botocore_version: str
    target: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    finished_at: str = ""
    duration: float = 0.0
    seed: str = ""
    depth: str = ""
    pytest_exit_code: int = 0
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite_version": self.suite_version,
            "spec_revision": self.spec_revision,
            "botocore_version": self.botocore_version,
            "target": copy.deepcopy(self.target),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration": self.duration,
            "seed": self.seed,
            "depth": self.depth,
            "pytest_exit_code": self.pytest_exit_code,
            "command": self.command,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(
            suite_version=data["suite_version"],
            spec_revision=data["spec_revision"],
            botocore_version=data["botocore_version"],
            target=copy.deepcopy(dict(data.get("target") or {})),
            started_at=data.get("started_at", ""),
            finished_at=data.get("finished_at", ""),
            duration=float(data.get("duration", 0.0)),
            seed=str(data.get("seed", "")),
            depth=data.get("depth", ""),
            pytest_exit_code=int(data.get("pytest_exit_code", 0)),
            command=data.get("command", ""),
        )

    @property
    def target_name(self) -> str:
        return str(self.target.get("name") or self.target.get("endpoint_name") or "target")

    @property
    def implementation(self) -> str:
        """``name version`` of the implementation under test, or ``""``."""
        impl = self.target.get("implementation") or {}
        return " ".join(str(impl[k]) for k in ("name", "version") if impl.get(k)).strip()


@dataclass(frozen=True)
class BehaviourResult:
    """One catalogue behaviour, its status for this run and the tests that judged it."""

    id: str
    level: str
    statement: str
    revision: str
    profile: str
    area: str
    source: str
    claimed: bool
    status: str
    reason: str = ""
    tests: tuple[TestRecord, ...] = ()

    @property
    def duration(self) -> float:
        return round(sum(t.duration for t in self.tests), 6)

    @property
    def failing_tests(self) -> tuple[TestRecord, ...]:
        """The tests whose evidence explains a ``fail`` or ``error``."""
        return tuple(t for t in self.tests if t.outcome in {"failed", "error", "xpassed"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "statement": self.statement,
            "revision": self.revision,
            "profile": self.profile,
            "area": self.area,
            "source": self.source,
            "claimed": self.claimed,
            "status": self.status,
            "reason": self.reason,
            "duration": self.duration,
            "tests": [t.to_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BehaviourResult:
        return cls(
            id=data["id"],
            level=data["level"],
            statement=data["statement"],
            revision=data["revision"],
            profile=data["profile"],
            area=data["area"],
            source=data.get("source", ""),
            claimed=bool(data["claimed"]),
            status=data["status"],
            reason=data.get("reason", ""),
            tests=tuple(TestRecord.from_dict(t) for t in data.get("tests", ())),
        )
