"""The verdict and the counts, derived from per-behaviour results (never stored separately)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reports.status import DISPLAY_ORDER

if TYPE_CHECKING:
    from reports.records import BehaviourResult

LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY")
# pytest exit codes after which a results document can still be a verdict.
VERDICT_EXIT_CODES = frozenset({0, 1})


def counts(behaviours: Iterable[BehaviourResult]) -> dict[str, int]:
    """Behaviours per status, every status present (zeros included)."""
    tally = Counter(b.status for b in behaviours)
    return {status: tally.get(status, 0) for status in DISPLAY_ORDER}


def is_met(behaviour: BehaviourResult) -> bool:
    """A claimed MUST holds: it passed, or it is an expected failure with a reason."""
    return behaviour.status == "pass" or (behaviour.status == "xfail" and bool(behaviour.reason))


def must_summary(behaviours: Sequence[BehaviourResult]) -> dict[str, Any]:
    """The claimed MUSTs: how many, how many passed, which ones block the verdict."""
    musts = [b for b in behaviours if b.level == "MUST" and b.claimed]
    passed = sum(b.status == "pass" for b in musts)
    return {
        "applicable": len(musts),
        "passed": passed,
        "xfail": sum(b.status == "xfail" for b in musts),
        "pass_percent": _floor_percent(passed, len(musts)),
        "blocking": [b.id for b in musts if not is_met(b)],
    }


def verdict_reasons(behaviours: Sequence[BehaviourResult], pytest_exit_code: int) -> list[str]:
    """Why the run is not a conformance claim; empty when it is."""
    reasons = []
    musts = [b for b in behaviours if b.level == "MUST" and b.claimed]
    if not musts:
        reasons.append("no MUST behaviour is covered by the target's claim")
    for status, one, many in (
        ("fail", "failed", "failed"),
        ("error", "could not be judged (harness error)", "could not be judged (harness error)"),
        (
            "xfail",
            "is an expected failure without a reason",
            "are expected failures without a reason",
        ),
        ("skip", "was skipped", "were skipped"),
        ("untested", "was not judged by any test", "were not judged by any test"),
    ):
        ids = [b.id for b in musts if b.status == status and not is_met(b)]
        if ids:
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            if len(ids) == 1:
                reasons.append(f"1 MUST behaviour {one}: {shown}")
            else:
                reasons.append(f"{len(ids)} MUST behaviours {many}: {shown}")
    if pytest_exit_code not in VERDICT_EXIT_CODES:
        reasons.append(f"pytest exited with code {pytest_exit_code}, so the run is incomplete")
    return reasons


def summarize(
    behaviours: Sequence[BehaviourResult], *, claimed_profiles: Sequence[str], pytest_exit_code: int
) -> dict[str, Any]:
    """The document's ``summary``: verdict, reasons, counts per status, profile and level."""
    reasons = verdict_reasons(behaviours, pytest_exit_code)
    profiles = list(dict.fromkeys([*claimed_profiles, *(b.profile for b in behaviours)]))
    return {
        "conformant": not reasons,
        "reasons": reasons,
        "counts": counts(behaviours),
        "must": must_summary(behaviours),
        "by_profile": {
            profile: {
                "claimed": profile in claimed_profiles,
                "counts": counts(b for b in behaviours if b.profile == profile),
                "must": must_summary([b for b in behaviours if b.profile == profile]),
            }
            for profile in profiles
        },
        "by_level": {level: counts(b for b in behaviours if b.level == level) for level in LEVELS},
    }


def _floor_percent(part: int, whole: int) -> float:
    """``part/whole`` in percent, rounded *down* to one decimal (99.96 is not 100)."""
    if not whole:
        return 0.0
    return math.floor(1000 * part / whole) / 10
