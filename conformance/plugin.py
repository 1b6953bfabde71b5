"""The pytest plugin: the hooks, each handing its work to the module that does it.

Registered through the ``pytest11`` entry point, so it is loaded in every pytest
run of an environment that has the suite installed; everything here stays inert
for tests that carry no ``behaviour`` marker.

- ``conformance.options``: options, markers, the behaviour IDs of an item;
- ``conformance.run_state``: the run's state on ``config.stash``;
- ``conformance.claims``: what the target claims, skipping what it does not;
- ``conformance.ordering``: slow scenarios' checks last (first under xdist);
- ``conformance.verdicts``: a report -> one outcome per behaviour;
- ``conformance.xdist_relay``: verdicts, seed and target between xdist processes;
- ``conformance.results_bridge``: the run state -> the results document.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import depth, sensitive, verdicts, xdist_relay
from conformance.claims import skip_unclaimed
from conformance.expectations import Expectations
from conformance.failing_example import restore_hypothesis_printer
from conformance.options import add_markers, add_options, behaviours, target_options
from conformance.ordering import order
from conformance.results_bridge import write_results
from conformance.run_state import STATE, RunState, run_state
from conformance.target import wants_embedded
from conformance.violations import reset_judged
from conformance.xdist_relay import is_xdist_worker


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    add_markers(config)
    # Invalid bodies are up to 128 kB; Hypothesis warns when it prints such a repr.
    config.addinivalue_line("filterwarnings", "ignore:Generating overly large repr")
    forced = config.getoption("hypothesis_seed", default=None)
    if forced is None:
        # An xdist worker runs the controller's seed, so the header reproduces the run.
        forced = xdist_relay.worker_seed(config)
    seed = depth.configure(config.getoption("depth"), int(forced) if forced is not None else None)
    options = target_options(config)
    config.stash[STATE] = RunState(
        options=options,
        embedded=wants_embedded(options, os.environ),
        claimed_target=None,
        expectations=Expectations(),
        seed=seed,
    )
    if not is_xdist_worker(config):
        config.pluginmanager.register(
            xdist_relay.WorkerVerdicts(config), "conformance-worker-verdicts"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    judged = [item for item in items if behaviours(item)]
    if not judged:
        return
    restore_hypothesis_printer()
    order(items, judged)
    state = run_state(config)
    state.conformance_items = len(judged)
    skip_unclaimed(state, judged)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = config.stash.get(STATE, None)
    if state is None:
        return None
    target = config.getoption("target") or ("embedded" if state.embedded else "environment")
    return [
        f"conformance: target={target} depth={depth.current_depth()} "
        f"seed={state.seed} (reproduce with --hypothesis-seed={state.seed} --depth="
        f"{depth.current_depth()})"
    ]


def pytest_runtest_setup(item: pytest.Item) -> None:
    reset_judged()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    ids = behaviours(item)
    if not ids:
        return report
    state = run_state(item.config)
    sensitive.scrub_report(report)
    recorded, advised = len(state.outcomes), len(state.advisories)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        verdicts.record_verdicts(state, item, call, report, ids)
    elif report.when == "teardown" and report.failed:
        verdicts.record_teardown_error(state, item, report, ids)
    if is_xdist_worker(item.config):
        # The controller writes the results document: the verdicts travel with the report.
        xdist_relay.attach_verdicts(report, state, recorded=recorded, advised=advised)
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    xdist_relay.send_seed(node)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    xdist_relay.receive_worker_info(node)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    return verdicts.teststatus(report)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is None or not state.advisories:
        return
    terminalreporter.section("conformance advisories (SHOULD/MAY not kept)")
    for line in state.advisories:
        terminalreporter.line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    path = session.config.getoption("conformance_results_json", default=None)
    if state is None:
        return
    if is_xdist_worker(session.config):
        xdist_relay.send_worker_info(session.config, state)
        return
    if not path:
        return
    try:
        write_results(state, Path(path), exitstatus=int(exitstatus), argv=sys.argv)
    except Exception as exc:  # the report must say the harness broke, not vanish
        print(f"conformance: could not write the results document: {exc}", file=sys.stderr)
        raise


# The fixtures live in their own module; pytest loads it with this plugin.
# conformance.selection: --behaviour, --area, and behaviour IDs as -k keywords;
# conformance.plain_run: plain `pytest --pyargs conformance.checks` gets a report;
# conformance.progress: each check's name, behaviours, elapsed and estimated time left;
# conformance.recording: --record FILE writes the run's transcript.
pytest_plugins = [
    "conformance.fixtures",
    "conformance.selection",
    "conformance.plain_run",
    "conformance.progress",
    "conformance.recording",
]
