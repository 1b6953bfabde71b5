"""Fixtures of the suite: the target, the run's session, and the slow scenarios.

Session-scoped: the embedded stack (when no target is named), the clients and the
per-run resources. Nothing here starts unless a check asks for it, so the plugin
costs nothing in test runs that are not conformance runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from conformance.endpoint_config import AsyncConfig
from conformance.overlap import OutcomePlan, Overlap, plan_of
from conformance.run_state import STATE, RunState
from conformance.scenarios import Scenarios
from conformance.session import ConformanceSession
from conformance.target import ConfigurationError, Target, resolve_target

if TYPE_CHECKING:
    from conformance.app_stack import SageMakerAsyncStack

EMBEDDED_CLOCK_SCALE = 0.05


def _exit(message: str) -> None:
    pytest.exit(f"conformance: {message}", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def conformance_session(request: pytest.FixtureRequest) -> Iterator[ConformanceSession]:
    """The run against the target: clients, async config, inputs, clean-up."""
    state: RunState = request.config.stash[STATE]
    stack = None
    try:
        if state.embedded:
            from conformance.embedded import start_embedded

            scale = state.options.get("clock_scale") or EMBEDDED_CLOCK_SCALE
            latency = request.config.getoption("reference_latency", default=None) or 0.0
            stack, settings = start_embedded(clock_scale=scale, pickup_delay=latency)
            env = dict(settings.env)
            options = {
                **state.options,
                "clock_scale": settings.clock_scale,
                "scenario_endpoint_name": state.options.get("scenario_endpoint_name")
                or settings.scenario_endpoint_name,
            }
            target = resolve_target(options, env, embedded_env=env)
            session = ConformanceSession(target, credentials_env=env)
        else:
            target = resolve_target(state.options, os.environ)
            session = ConformanceSession(target)
        session.preflight()
    except ConfigurationError as exc:
        if stack is not None:
            stack.stop()
        _exit(str(exc))
        raise  # unreachable: pytest.exit raises
    state.target = target
    state.session = session
    state.async_config = session.async_config
    try:
        yield session
    finally:
        state.cleanup = session.close()
        if stack is not None:
            stack.stop()


@pytest.fixture(scope="session")
def target(conformance_session: ConformanceSession) -> Target:
    return conformance_session.target


@pytest.fixture(scope="session")
def async_config(conformance_session: ConformanceSession) -> AsyncConfig:
    assert conformance_session.async_config is not None
    return conformance_session.async_config


RUNNER = pytest.StashKey[Scenarios]()


def _stashed_until_shutdown(
    request: pytest.FixtureRequest, key: pytest.StashKey[Any], worker: Any
) -> Iterator[Any]:
    """Keeps ``worker`` in the config's stash (where the collection hook starts it)
    for the session, and shuts it down at the end."""
    request.config.stash[key] = worker
    try:
        yield worker
    finally:
        del request.config.stash[key]
        worker.shutdown()


@pytest.fixture(scope="session")
def scenarios(
    request: pytest.FixtureRequest, conformance_session: ConformanceSession
) -> Iterator[Scenarios]:
    yield from _stashed_until_shutdown(request, RUNNER, Scenarios(conformance_session))


def _scenarios_of(items: Iterable[pytest.Item]) -> list[str]:
    wanted: list[str] = []
    for item in items:
        if item.get_closest_marker("skip"):
            continue
        for marker in item.iter_markers("scenario"):
            wanted.extend(str(a) for a in marker.args)
    return list(dict.fromkeys(wanted))


def _items_to_run(session: pytest.Session) -> list[pytest.Item]:
    """The items this process will run, as far as it knows now.

    Without xdist: every collected item. In an xdist worker ``session.items`` is
    the whole collection, but the worker runs only what the controller sends it:
    the item running now and the indices queued in xdist's worker loop (not a
    public API: if it is missing, nothing is started early and each scenario
    starts when its first check asks for it).
    """
    if not hasattr(session.config, "workerinput"):
        return list(session.items)
    for plugin in session.config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if queue is None or not hasattr(queue, "lock"):
            continue
        indices = [getattr(plugin, "item_index", None), getattr(plugin, "nextitem_index", None)]
        with queue.lock() as pending:
            indices.extend(pending)
        return [session.items[i] for i in indices if isinstance(i, int) and i < len(session.items)]
    return []


@pytest.fixture(scope="session", autouse=True)
def _start_scenarios_early(request: pytest.FixtureRequest) -> None:
    """Start every slow scenario a check of this process needs before the first check
    runs, so a real-clock run costs about its longest wait rather than the sum of them."""
    if not _scenarios_of(request.session.items):
        return
    runner: Scenarios = request.getfixturevalue("scenarios")
    runner.start(_scenarios_of(_items_to_run(request.session)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """xdist worker: start the scenarios and outcome plans of checks sent to it since
    the last check."""
    if not hasattr(item.config, "workerinput"):
        return
    runner = item.config.stash.get(RUNNER, None)
    if runner is not None:
        runner.start(_scenarios_of(_items_to_run(item.session)))
    overlap = item.config.stash.get(OVERLAP, None)
    if overlap is not None:
        overlap.start(_plans_of(_items_to_run(item.session)))


OVERLAP = pytest.StashKey[Overlap]()


@pytest.fixture(scope="session")
def conformance_overlap(
    request: pytest.FixtureRequest, conformance_session: ConformanceSession
) -> Iterator[Overlap]:
    """Sends the examples of outcome checks early; each check judges its own."""
    yield from _stashed_until_shutdown(request, OVERLAP, Overlap(conformance_session))


def _plans_of(items: Iterable[pytest.Item]) -> list[OutcomePlan]:
    plans = (plan_of(item) for item in items if not item.get_closest_marker("skip"))
    return list({plan.name: plan for plan in plans if plan is not None}.values())


@pytest.fixture(scope="session", autouse=True)
def _send_outcome_checks_early(request: pytest.FixtureRequest) -> None:
    """After the slow scenarios started: send the examples of every outcome check
    this process will run, so their outcome waits overlap with the other checks."""
    if not _plans_of(request.session.items):
        return
    request.getfixturevalue("_start_scenarios_early")
    overlap: Overlap = request.getfixturevalue("conformance_overlap")
    overlap.start(_plans_of(_items_to_run(request.session)))


@pytest.fixture(scope="session")
def sagemaker_async_stack() -> Iterator[SageMakerAsyncStack]:
    """The embedded stack for an app's own tests, started once per session (README,
    "conformance serve as a local emulator"): endpoint, paths, boto3 clients, env."""
    from conformance.app_stack import running_stack

    with running_stack(clock_scale=EMBEDDED_CLOCK_SCALE) as stack:
        yield stack
