"""The status lattice every report shares, and how test outcomes map onto it.

A behaviour is judged by zero or more tests. Their statuses combine by taking
the worst, in this order (least severe first)::

    untested < skip < pass < xfail < error < fail

- ``pass`` beats ``skip``: one test that judged the behaviour is a verdict.
- ``xfail`` beats ``pass``: a known failure is still a failure of the target.
- ``error`` beats all of those: the harness could not judge, so a ``pass``
  elsewhere must never hide it.
- ``fail`` beats ``error``: a real failure is a verdict about the target; the
  error stays visible in the behaviour's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

# Least severe first; `combine` takes the maximum of this order.
STATUSES: tuple[str, ...] = ("untested", "skip", "pass", "xfail", "error", "fail")
# The order reports display them in.
DISPLAY_ORDER: tuple[str, ...] = ("pass", "fail", "xfail", "error", "skip", "untested")
# ``untested``: the test ran but never judged the behaviour (its precondition never
# happened, or the check stopped at another behaviour's failure) -- no evidence, no pass.
OUTCOMES: tuple[str, ...] = (
    "passed", "failed", "skipped", "xfailed", "xpassed", "error", "untested",
)

_RANK = {status: rank for rank, status in enumerate(STATUSES)}

_STATUS_OF_OUTCOME = {
    "passed": "pass",
    "failed": "fail",
    "skipped": "skip",
    "xfailed": "xfail",
    # A strict expected failure that passed: the expectation is stale, and the
    # report must say so, so the behaviour is failed.
    "xpassed": "fail",
    "error": "error",
    "untested": "untested",
}


def status_of_outcome(outcome: str) -> str:
    """The lattice status of one test outcome (``passed`` -> ``pass``, ...)."""
    try:
        return _STATUS_OF_OUTCOME[outcome]
    except KeyError:
        raise ValueError(f"outcome={outcome!r} is not one of {', '.join(OUTCOMES)}") from None


def combine(statuses: Iterable[str]) -> str:
    """The worst of ``statuses``; ``untested`` when there are none."""
    worst = "untested"
    for status in statuses:
        if status not in _RANK:
            raise ValueError(f"status={status!r} is not one of {', '.join(STATUSES)}")
        if _RANK[status] > _RANK[worst]:
            worst = status
    return worst
