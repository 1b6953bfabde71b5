"""How hard a run tries: Hypothesis example counts per depth, and the run's seed.

The plugin sets the depth and seed at configure time, before the check modules are
imported, so the decorators below read the run's values.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings

DEPTHS = ("quick", "standard", "thorough")

# examples per property test, per depth; fuzzing is cheaper per example (no outcome wait)
EXAMPLES: dict[str, dict[str, int]] = {
    "quick": {"property": 4, "outcome": 3, "fuzz": 15, "stateful": 2, "steps": 4},
    "standard": {"property": 20, "outcome": 8, "fuzz": 60, "stateful": 5, "steps": 8},
    "thorough": {"property": 100, "outcome": 30, "fuzz": 300, "stateful": 20, "steps": 12},
}

_state: dict[str, Any] = {"depth": "standard", "seed": None}

F = TypeVar("F", bound=Callable[..., Any])


def configure(depth: str, run_seed: int | None) -> int:
    """Fix the depth and seed for this process; returns the seed in use."""
    if depth not in DEPTHS:
        raise ValueError(f"depth={depth!r}; choose one of {', '.join(DEPTHS)}")
    _state["depth"] = depth
    _state["seed"] = run_seed if run_seed is not None else random.getrandbits(32)
    return _state["seed"]


def current_depth() -> str:
    return str(_state["depth"])


def run_seed() -> int:
    if _state["seed"] is None:
        _state["seed"] = random.getrandbits(32)
    return int(_state["seed"])


def examples(kind: str) -> int:
    return EXAMPLES[current_depth()][kind]


# Kinds whose examples are single quick requests: shrinking them to the minimal
# failing example costs seconds. Outcome, stateful and other waiting checks are not
# shrunk: every step is a round of requests and outcome waits, and Hypothesis allows
# shrinking for up to five minutes per failing check; their first falsifying
# example is the evidence.
SHRUNK_KINDS = frozenset({"property", "fuzz"})


def hypothesis_check(
    kind: str, *, shrink: bool | None = None, **overrides: Any
) -> Callable[[F], F]:
    """Settings for a check that talks to a target: the depth's example count,
    no per-example deadline (the target's latency is not ours to judge here),
    shrinking only where it is cheap, the run's seed, no example database."""
    shrinking = kind in SHRUNK_KINDS if shrink is None else shrink

    def decorate(test: F) -> F:
        options: dict[str, Any] = {
            "max_examples": examples(kind),
            "deadline": None,
            "database": None,
            "report_multiple_bugs": False,
            "suppress_health_check": list(HealthCheck),
            "phases": [Phase.explicit, Phase.generate, *([Phase.shrink] if shrinking else [])],
        }
        options.update(overrides)
        configured = settings(**options)
        return seed(run_seed())(configured(test))  # type: ignore[return-value]

    return decorate
