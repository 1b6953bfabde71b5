"""Selecting checks by the behaviours they judge: ``--behaviour ID[,ID]``, ``--area AREA``.

Every check's test ID ends with the behaviour IDs it judges
(``test_headers.py::test_unsupported_headers_never_reach_the_model[IEA-HDR-001]``),
so a failure, a ``--lf`` cache entry or a JUnit case names its behaviours, and
``-k IEA-HDR-001`` selects the checks that judge that behaviour (the IDs are
keywords of the item too; pytest matches by substring, case-insensitively).
``--behaviour`` and ``--area`` are exact: a check is kept when it judges one of the
named behaviours or a behaviour of a named area (the middle of the ID: ``HDR`` for
``IEA-HDR-001``). A name the catalogue does not know is a usage error, never a silent
empty run.

Registered by ``conformance.plugin`` (``pytest_plugins``).
"""

from __future__ import annotations

import pytest

from spec.catalogue import load_catalogue

MARKER = "behaviour"
# The autouse fixture every test requests, so that a check can be parametrised with
# its behaviour IDs: that parameter is what puts them in the test ID.
IDS_PARAMETER = "judged_behaviour_ids"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "InvokeEndpointAsync conformance suite")
    group.addoption(
        "--behaviour",
        action="append",
        metavar="ID[,ID]",
        help="run only the checks that judge these behaviour IDs (repeatable)",
    )
    group.addoption(
        "--area",
        action="append",
        metavar="AREA[,AREA]",
        help="run only the checks judging behaviours of these areas, e.g. HDR,TTL (repeatable)",
    )


@pytest.fixture(autouse=True)
def judged_behaviour_ids() -> tuple[str, ...]:
    """The behaviour IDs the test judges (a check gets them as its parameter; others: none)."""
    return ()


def id_of_behaviours(behaviours: tuple[str, ...]) -> str:
    """The part of a check's test ID that names its behaviours: ``IEA-HDR-003,IEA-HDR-004``."""
    return ",".join(behaviours)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # The behaviours marked on the function itself; a parametrised check whose cases
    # judge different behaviours names them in each case's own ID instead.
    judged = tuple(
        dict.fromkeys(str(a) for m in metafunc.definition.iter_markers(MARKER) for a in m.args)
    )
    if judged and IDS_PARAMETER in metafunc.fixturenames:
        metafunc.parametrize(IDS_PARAMETER, [judged], ids=[id_of_behaviours(judged)])


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def behaviour_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(a) for a in marker.args)
    return tuple(dict.fromkeys(ids))


def _area(behaviour_id: str) -> str:
    parts = behaviour_id.split("-")
    return parts[1] if len(parts) > 2 else ""


def wanted(config: pytest.Config) -> tuple[set[str], set[str]]:
    """The behaviour IDs and areas asked for; raises ``pytest.UsageError`` on unknown ones."""
    catalogue = load_catalogue()
    ids = {i.upper() for i in _split(config.getoption("behaviour"))}
    areas = {a.upper() for a in _split(config.getoption("area"))}
    unknown_ids = sorted(i for i in ids if i not in catalogue)
    if unknown_ids:
        raise pytest.UsageError(
            f"--behaviour: no behaviour {', '.join(unknown_ids)} in the catalogue "
            "(list them with `conformance spec behaviours`)"
        )
    known_areas = {b.area for b in catalogue}
    unknown_areas = sorted(areas - known_areas)
    if unknown_areas:
        raise pytest.UsageError(
            f"--area: no area {', '.join(unknown_areas)} (areas: {', '.join(sorted(known_areas))})"
        )
    return ids, areas


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Keywords first, so that pytest's own -k (which runs after this hook) sees them.
    for item in items:
        item.extra_keyword_matches.update(behaviour_ids(item))
    ids, areas = wanted(config)
    if not ids and not areas:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        judged = behaviour_ids(item)
        if any(i in ids or _area(i) in areas for i in judged):
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
