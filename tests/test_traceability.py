"""Traceability: every MUST in the catalogue is judged by at least one check, and no
check cites an ID the catalogue does not have."""

from __future__ import annotations

import pytest

from spec.catalogue import load_catalogue


@pytest.fixture(scope="module")
def cited() -> dict[str, list[str]]:
    """Behaviour ID -> the checks citing it, from a real collection of the suite."""
    collected: dict[str, list[str]] = {}

    class Collector:
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            for item in session.items:
                for marker in item.iter_markers("behaviour"):
                    for behaviour in marker.args:
                        collected.setdefault(str(behaviour), []).append(item.nodeid)

    code = pytest.main(
        ["--collect-only", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--pyargs", "conformance.checks"],
        plugins=[Collector()],
    )  # fmt: skip
    assert code == pytest.ExitCode.OK
    return collected


def test_every_must_is_judged_by_a_check(cited: dict[str, list[str]]) -> None:
    unjudged = [b.id for b in load_catalogue().musts() if b.id not in cited]
    assert not unjudged, f"MUST behaviours no check judges: {unjudged}"


def test_no_check_cites_an_unknown_behaviour(cited: dict[str, list[str]]) -> None:
    known = set(load_catalogue().ids())
    unknown = {b: checks for b, checks in cited.items() if b not in known}
    assert not unknown


def test_every_should_and_may_is_judged_or_is_a_permission(cited: dict[str, list[str]]) -> None:
    # IEA-HDR-006 grants the platform room (extra headers); the conforming
    # variants exercise it, no check can fail on it.
    permissions = {"IEA-HDR-006"}
    unjudged = [
        b.id
        for b in load_catalogue()
        if b.level != "MUST" and b.id not in cited and b.id not in permissions
    ]
    assert not unjudged
