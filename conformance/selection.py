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

A run narrowed any way (``-k``, ``-m``, ``--behaviour``/``--area``, ``--lf``, node ids
or modules instead of the whole package, ``--profiles`` narrower than the target's
claim) is *partial*: :func:`recorded` says what narrowed it and which behaviours its
checks judge, so the verdict can be about that part only and say what did not run.

Registered by ``conformance.plugin`` (``pytest_plugins``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from spec.catalogue import DEFAULT_PROFILES, load_catalogue

MARKER = "behaviour"
# The autouse fixture every test requests, so that a check can be parametrised with
# its behaviour IDs: that parameter is what puts them in the test ID.
IDS_PARAMETER = "judged_behaviour_ids"
PACKAGE = "conformance.checks"
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
WORKER_KEY = "conformance_selection"
DESELECTED = pytest.StashKey[int]()
SELECTION = pytest.StashKey[dict[str, Any]]()


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


# -- what a partial run judged ---------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[DESELECTED] = config.stash.get(DESELECTED, 0) + len(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    selected = [item for item in session.items if behaviour_ids(item)]
    if not selected and not config.stash.get(DESELECTED, 0):
        return  # not a run of the suite (the project's own tests, a user's suite)
    behaviours = sorted({b for item in selected for b in behaviour_ids(item)})
    config.stash[SELECTION] = describe(
        config, tests=len(selected), deselected=config.stash.get(DESELECTED, 0),
        behaviours=behaviours,
    )


def describe(
    config: pytest.Config, *, tests: int, deselected: int, behaviours: list[str]
) -> dict[str, Any]:
    """The ``selection`` of the results document's ``run``."""
    narrowed_by: list[str] = []
    if config.getoption("keyword", default=""):
        narrowed_by.append(f"-k {config.getoption('keyword')}")
    if config.getoption("markexpr", default=""):
        narrowed_by.append(f"-m {config.getoption('markexpr')}")
    for option in ("behaviour", "area"):
        values = _split(config.getoption(option))
        if values:
            narrowed_by.append(f"--{option} {','.join(values)}")
    if config.getoption("lf", default=False):
        narrowed_by.append("--lf")
    parts = [str(a) for a in config.args if not _whole_suite(str(a))]
    if parts:
        narrowed_by.append("only " + " ".join(_short(a) for a in parts))
    profiles_not_run = _profiles_not_run(config)
    if profiles_not_run:
        narrowed_by.append(
            f"--profiles {config.getoption('profiles')} (not run: {', '.join(profiles_not_run)})"
        )
    if deselected and not narrowed_by:
        narrowed_by.append(f"{deselected} checks deselected")
    return {
        "partial": bool(narrowed_by),
        "narrowed_by": narrowed_by,
        "tests": tests,
        "deselected": deselected,
        "behaviours": behaviours,
        "profiles_not_run": profiles_not_run,
    }


def _whole_suite(arg: str) -> bool:
    if arg == PACKAGE:
        return True
    try:
        return Path(arg).resolve() == CHECKS_DIR
    except OSError:
        return False


def _short(arg: str) -> str:
    return arg.split("/checks/", 1)[-1]


def _profiles_not_run(config: pytest.Config) -> list[str]:
    """Profiles the target claims that ``--profiles`` left out of this run."""
    asked = _split([config.getoption("profiles")] if config.getoption("profiles") else None)
    if not asked:
        return []
    from conformance.target import target_file_profiles

    from_env = tuple(_split([os.environ["CONFORMANCE_PROFILES"]])) if os.environ.get(
        "CONFORMANCE_PROFILES"
    ) else ()
    claimed = target_file_profiles(config.getoption("target")) or from_env or DEFAULT_PROFILES
    return [p for p in claimed if p not in asked]


def recorded(config: pytest.Config) -> dict[str, Any] | None:
    """What this run selected (``describe``), or None when it was no run of the suite."""
    return config.stash.get(SELECTION, None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker collected the checks; the controller writes the document.
    workeroutput = getattr(session.config, "workeroutput", None)
    selection = recorded(session.config)
    if workeroutput is not None and selection is not None:
        workeroutput[WORKER_KEY] = selection


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    selection = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if selection and SELECTION not in node.config.stash:
        node.config.stash[SELECTION] = selection
