"""Hypothesis-minimised disagreements: the smallest generated request that still splits
two targets the way a corpus entry did.

A generated corpus entry remembers its strategy, seed and index (``corpus.Origin``).
The search runs that strategy again under the same seed, sends each example to both
targets and fails when they disagree on the same aspect; Hypothesis then shrinks the
failing example as it would a failing test. The same seed draws the same examples in
the same order, so the search meets the corpus entry (or an earlier example with the
same disagreement) and shrinks from there. Each search is bounded by a number of
trials (every trial is one request to each target) and a deadline; once either is
spent, untried examples count as agreeing, which only stops the shrinking early.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Flaky, HypothesisException

from conformance.corpus import Entry
from conformance.diffing import compare
from conformance.session import ConformanceSession
from conformance.transcript import secrets_now
from reports.redact import redact

# Trials (one request to each target) one search may spend.
MAX_TRIALS = 30
# Aspects read from the answer alone: no need to wait for outcomes in S3.
ANSWER_ASPECTS = frozenset(
    {
        "status",
        "error_type",
        "error_type.named",
        "members.InferenceId",
        "members.OutputLocation",
        "members.FailureLocation",
        "output_location.under_configured_path",
        "output_location.stem",
        "failure_location.under_configured_path",
        "failure_location.stem",
        "content_type.json",
    }
)


class _StillDisagrees(Exception):
    """The example splits the targets on the aspect searched for (a 'failing' example)."""


@dataclass(frozen=True)
class Minimised:
    aspect: str
    original: dict[str, Any]
    minimal: dict[str, Any]
    trials: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "aspect": self.aspect,
            "original": shown(self.original),
            "minimal": shown(self.minimal),
            "trials": self.trials,
        }


def shown(params: dict[str, Any]) -> dict[str, Any]:
    """Request params as a report shows them: bytes as text or a length, redacted."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8") if len(value) <= 256 else f"<{len(value)} bytes>"
            except UnicodeDecodeError:
                value = f"<{len(value)} binary bytes>"
        out[key] = value
    return redact(out, secrets=secrets_now())


def _key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=repr)


def minimise(
    entry: Entry,
    aspect: str,
    a: ConformanceSession,
    b: ConformanceSession,
    *,
    run: Callable[..., Any],
    max_trials: int = MAX_TRIALS,
    until: float | None = None,
) -> Minimised | None:
    """The smallest example of ``entry``'s strategy on which ``a`` and ``b`` still
    disagree on ``aspect``; None when the entry was not generated or no example in
    the budget (``max_trials``, and the monotonic time ``until``) disagreed.
    ``run(session, entries, observe_outcomes=..., read_notifications=...)`` sends
    entries and returns what the target did (``diff_run.run_corpus``)."""
    origin = entry.origin
    if origin is None:
        return None
    outcomes = aspect not in ANSWER_ASPECTS
    verdicts: dict[str, bool] = {}
    failing: list[dict[str, Any]] = []

    def disagrees(params: dict[str, Any]) -> bool:
        key = _key(params)
        if key not in verdicts:
            if len(verdicts) >= max_trials or (until is not None and time.monotonic() > until):
                return False
            candidate = dataclasses.replace(entry, name=f"{entry.name} (search)", params=params)
            sides = [
                run(
                    session,
                    [candidate],
                    observe_outcomes=outcomes,
                    read_notifications=aspect == "notifications",
                )
                for session in (a, b)
            ]
            differences = compare(
                sides[0].observations[0],
                sides[1].observations[0],
                behaviour=entry.behaviour,
                aspects=entry.aspects,
                supplied_inference_id="InferenceId" in params,
            )
            verdicts[key] = any(d.aspect == aspect for d in differences)
        return verdicts[key]

    @seed(origin.at_seed)
    @settings(
        # The corpus skipped the simplest example: entry K is example K + 1.
        max_examples=origin.index + 2,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(origin.search_strategy())
    def search(params: dict[str, Any]) -> None:
        if disagrees(params):
            failing.append(params)
            raise _StillDisagrees()

    try:
        search()
    except _StillDisagrees:
        pass
    except (Flaky, HypothesisException):
        # A target that answers the same request differently: keep what was found.
        pass
    if not failing:
        return None
    # Hypothesis replays the minimal failing example last.
    return Minimised(aspect, entry.params, failing[-1], len(verdicts))
