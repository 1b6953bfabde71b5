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


def verdict_reasons(
    behaviours: Sequence[BehaviourResult], pytest_exit_code: int, *, partial: bool = False
) -> list[str]:
    """Why the run is not a conformance claim (for a partial run: about the part it
    judged); empty when it is."""
    reasons = []
    musts = [b for b in behaviours if b.level == "MUST" and b.claimed]
    if not musts:
        reasons.append(
            "no MUST behaviour is judged by the selected checks"
            if partial
            else "no MUST behaviour is covered by the target's claim"
        )
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
    behaviours: Sequence[BehaviourResult],
    *,
    claimed_profiles: Sequence[str],
    pytest_exit_code: int,
    selected: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The document's ``summary``: verdict, reasons, counts per status, profile and level.

    ``selected`` (a partial run: the behaviours its checks judge) scopes the verdict and
    the MUST figures to the part of it that was judged; the other claimed behaviours
    (outside it, or named by a selected check that did not reach them) are ``not_run``.
    """
    if selected is not None:
        # A selected check may name behaviours it did not judge this time (the fuzz
        # check names every validation rule; a quick run reaches a few): in a partial
        # run those were not run, as the rest outside the selection were not.
        selected = frozenset(
            b.id for b in behaviours if b.id in selected and b.status != "untested"
        )
    judged = list(behaviours) if selected is None else [b for b in behaviours if b.id in selected]
    reasons = verdict_reasons(judged, pytest_exit_code, partial=selected is not None)
    profiles = list(dict.fromkeys([*claimed_profiles, *(b.profile for b in behaviours)]))
    scope: dict[str, Any] = {}
    if selected is not None:
        scope = {
            "partial": True,
            "judged": [b.id for b in judged if b.claimed],
            "not_run": [b.id for b in behaviours if b.claimed and b.id not in selected],
        }
    return {
        "conformant": not reasons,
        "reasons": reasons,
        **scope,
        "counts": counts(behaviours),
        "must": must_summary(judged),
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
