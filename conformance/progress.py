"""Progress on long runs: each check's name, the behaviours it judges, time spent and left.

``--progress auto`` (the default) draws a rich progress bar on a terminal and
writes one plain line per check otherwise (a pipe, a CI log: ``CI`` is set), so
logs stay readable. ``--progress plain`` forces the lines, ``--progress off``
leaves pytest's own output alone. Only runs of the conformance checks show it.
The estimate of what is left is the mean duration of the checks done so far
times the checks left: rough at first, better as the run goes.

Registered by ``conformance.plugin`` (``pytest_plugins``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import pytest

from conformance.selection import behaviour_ids

MODES = ("auto", "rich", "plain", "off")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "InvokeEndpointAsync conformance suite")
    group.addoption(
        "--progress",
        choices=MODES,
        default=None,
        help="progress per check: a bar on a terminal, one line per check in a log or CI "
        "(auto, the default), rich, plain or off",
    )


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class Progress:
    def __init__(self, config: pytest.Config, rich_bar: bool) -> None:
        self.config = config
        self.rich_bar = rich_bar
        self.behaviours: dict[str, tuple[str, ...]] = {}
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.check_started: dict[str, float] = {}
        self.spent = 0.0
        self._bar: Any = None
        self._task: Any = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            ids = behaviour_ids(item)
            if ids:
                self.behaviours[item.nodeid] = ids
        self.total = len(self.behaviours)

    def _start_bar(self) -> None:
        # Drawn from the first check on, after pytest's own "collected N items" line.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("conformance", total=self.total)

    def _label(self, nodeid: str) -> str:
        # A check's test ID names its behaviours (conformance.selection); say any it does not.
        name = nodeid.rsplit("/", 1)[-1]
        unnamed = [i for i in self.behaviours[nodeid] if i not in name]
        return f"{name} ({', '.join(unnamed)})" if unnamed else name

    def _bar_label(self, nodeid: str) -> str:
        """One line on the bar, however many behaviours: the fuzz check judges 26."""
        name = nodeid.rsplit("/", 1)[-1].split("[", 1)[0]
        ids = self.behaviours[nodeid]
        more = f" +{len(ids) - 1}" if len(ids) > 1 else ""
        return f"{name} [{ids[0]}{more}]"

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if nodeid not in self.behaviours:
            return
        self.check_started[nodeid] = time.monotonic()
        if self.rich_bar and self._bar is None:
            self._start_bar()
        if self._bar is not None:
            self._bar.update(self._task, description=self._bar_label(nodeid))

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        started = self.check_started.pop(nodeid, None)
        if started is None:
            return
        took = time.monotonic() - started
        self.done += 1
        self.spent += took
        if self._bar is not None:
            self._bar.update(self._task, advance=1)
            return
        left = self.spent / self.done * (self.total - self.done)
        elapsed = time.monotonic() - self.started
        line = (
            f"conformance [{self.done}/{self.total}] {self._label(nodeid)} {took:.1f} s · "
            f"elapsed {_duration(elapsed)} · about {_duration(left)} left"
        )
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(line)
        else:
            print(line)

    def pytest_sessionfinish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def progress_mode(
    requested: str | None, *, stdout_is_a_terminal: bool, environ: Mapping[str, str]
) -> str:
    """``rich``, ``plain`` or ``off``: what ``--progress`` (default ``auto``) means here.

    ``auto`` draws the bar only for a person at a terminal; a pipe, a log file or a CI
    runner (``CI`` set, even one that gives the job a terminal) gets one line per check.
    """
    if requested not in (None, "auto"):
        return requested
    return "rich" if stdout_is_a_terminal and not environ.get("CI") else "plain"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("progress", default=None)
    if mode == "off" or hasattr(config, "workerinput"):
        return
    if config.option.collectonly or config.getoption("numprocesses", default=None):
        return
    if not any("conformance.checks" in str(arg) for arg in config.args):
        return
    mode = progress_mode(mode, stdout_is_a_terminal=sys.stdout.isatty(), environ=os.environ)
    config.pluginmanager.register(Progress(config, rich_bar=mode == "rich"), "conformance-progress")
