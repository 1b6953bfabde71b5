"""A mutant of the reference, and the check that judges it, found from the suite's markers.

A mutant names the behaviour it breaks and the parts it replaces; which check must
notice is not written down: it is the narrowest check citing that behaviour (the one
whose ``@pytest.mark.behaviour`` names the fewest behaviours, the first collected on
a tie), so a broad sweep (the fuzzer, the stateful lifecycle) is never the selection.
``through`` names another behaviour whose narrowest check is the one to run, for a
mutant only a neighbouring guarantee's check can reach (it must cite both).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pytest

from mutants.runner import ROOT
from reference.parts import DEFAULT_PARTS, Parts


@dataclass(frozen=True)
class Mutant:
    name: str
    behaviour: str
    build: Callable[[], dict[str, Any]]  # the replaced fields, built fresh per run
    # Run the narrowest check of this behaviour instead (it must also judge `behaviour`).
    through: str | None = None
    # A known suite gap this mutant survives: why, precisely (the test is a strict xfail).
    survives: str = ""

    def parts(self) -> Parts:
        return dataclasses.replace(DEFAULT_PARTS, **self.build())

    @property
    def selection(self) -> tuple[str, ...]:
        """The node id of the narrowest check citing ``through`` or ``behaviour``."""
        judged = self.through or self.behaviour
        cited = checks_citing().get(judged)
        if not cited:
            raise LookupError(f"mutant {self.name}: no check cites {judged}")
        nodeid, _ = min(cited, key=lambda check: check[1])
        return (str(ROOT / nodeid),)


@lru_cache(maxsize=1)  # one collection per process; call it from one thread (pytest.main)
def checks_citing() -> Mapping[str, tuple[tuple[str, int], ...]]:
    """Behaviour ID -> (node id, how many behaviours it cites) per check, collection order."""
    found: dict[str, list[tuple[str, int]]] = {}

    class Collector:
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            for item in session.items:
                cited = [str(b) for m in item.iter_markers("behaviour") for b in m.args]
                for behaviour in dict.fromkeys(cited):
                    found.setdefault(behaviour, []).append((item.nodeid, len(set(cited))))

    code = pytest.main(
        ["--collect-only", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--rootdir", str(ROOT), "--pyargs", "conformance.checks"],
        plugins=[Collector()],
    )  # fmt: skip
    if code != pytest.ExitCode.OK:
        raise RuntimeError(f"collecting the suite to find the mutants' checks failed: {code!r}")
    return {behaviour: tuple(checks) for behaviour, checks in found.items()}
