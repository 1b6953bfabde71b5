"""What the plugin knows about one run, kept on ``config.stash[STATE]``.

Its own module so that the fixtures and the results writer read the run's state
without importing the plugin that loads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.expectations import Expectations
from conformance.target import Target
from spec.catalogue import DEFAULT_PROFILES
from spec.revisions import CURRENT


@dataclass
class BehaviourOutcome:
    """One behaviour's verdict from one test."""

    nodeid: str
    behaviour: str
    outcome: str  # passed, failed, skipped, xfailed, xpassed, error
    duration: float
    message: str = ""
    evidence: dict[str, Any] | None = None
    example: str | None = None
    reason: str = ""
    link: str = ""


@dataclass
class RunState:
    """Everything the plugin knows about this run, kept on ``config.stash``."""

    options: dict[str, Any]
    embedded: bool
    claimed_target: Target | None
    expectations: Expectations
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seed: int = 0
    target: Target | None = None
    session: Any = None
    async_config: Any = None
    implementation: dict[str, str] = field(default_factory=dict)
    outcomes: list[BehaviourOutcome] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)
    cleanup: dict[str, int] = field(default_factory=dict)
    conformance_items: int = 0
    # Under pytest-xdist: what the workers reported about the target (controller only).
    worker_target: dict[str, Any] | None = None
    worker_invocations: int = 0

    @property
    def revision(self) -> str:
        return self.claimed_target.revision if self.claimed_target else CURRENT

    @property
    def profiles(self) -> tuple[str, ...]:
        return self.claimed_target.profiles if self.claimed_target else DEFAULT_PROFILES

    @property
    def probe(self) -> bool:
        return self.claimed_target.probe if self.claimed_target else True


STATE = pytest.StashKey[RunState]()


def run_state(config: pytest.Config) -> RunState:
    return config.stash[STATE]
