"""``pytest --pyargs conformance.checks`` on its own: a verdict and a report, a clean cwd.

``conformance run`` names the results document and keeps pytest's and
Hypothesis' state in the report directory. A user who runs the suite as plain
pytest gets the same: the results document and every artefact in
``conformance-report/`` (unless ``--conformance-results-json`` says where), the
verdict at the end of the terminal output, and ``.pytest-cache``/``.hypothesis``
inside the report directory instead of the current directory (unless the user
configured them). Any other pytest run (the project's own tests, a user's
suite that merely has this plugin installed) is left alone.

Registered by ``conformance.plugin`` (``pytest_plugins``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

DEFAULT_REPORT_DIR = "conformance-report"
# Set by `conformance run`, which does all of this itself.
COMMAND_ENV = "CONFORMANCE_COMMAND"
HYPOTHESIS_DIR_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"
REPORT_DIR = pytest.StashKey[Path]()


def _is_plain_suite_run(config: pytest.Config) -> bool:
    if os.environ.get(COMMAND_ENV) or hasattr(config, "workerinput"):
        return False
    if not config.option.pyargs or config.option.collectonly:
        return False
    return any(str(arg).split("::")[0].startswith("conformance.checks") for arg in config.args)


@pytest.hookimpl(tryfirst=True)  # before the cache provider reads cache_dir
def pytest_configure(config: pytest.Config) -> None:
    if not _is_plain_suite_run(config):
        return
    chosen = config.getoption("conformance_results_json", default=None)
    if chosen:
        report_dir = Path(chosen).resolve().parent
    else:
        report_dir = Path(DEFAULT_REPORT_DIR).resolve()
        config.option.conformance_results_json = str(report_dir / "results.json")
        config.stash[REPORT_DIR] = report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    if _default_cache_dir(config):
        # No public way to move the cache after the command line is read.
        config._inicache["cache_dir"] = str(report_dir / ".pytest-cache")  # type: ignore[attr-defined]
    if not os.environ.get(HYPOTHESIS_DIR_ENV):
        from hypothesis.configuration import set_hypothesis_home_dir

        hypothesis_dir = report_dir / ".hypothesis"
        os.environ[HYPOTHESIS_DIR_ENV] = str(hypothesis_dir)  # xdist workers inherit it
        set_hypothesis_home_dir(hypothesis_dir)


def _default_cache_dir(config: pytest.Config) -> bool:
    try:
        return config.getini("cache_dir") == ".pytest_cache"
    except ValueError:  # -p no:cacheprovider: no cache, nothing to move
        return False


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    config = terminalreporter.config
    report_dir = config.stash.get(REPORT_DIR, None)
    if report_dir is None:
        return
    results_path = report_dir / "results.json"
    if not results_path.is_file():
        return
    from reports.io import read_results
    from reports.render import write_artefacts
    from reports.render.terminal import verdict_lines
    from reports.schema import InvalidResults

    try:
        results = read_results(results_path)
    except InvalidResults as exc:
        terminalreporter.line(f"conformance: {exc}", red=True)
        return
    paths = write_artefacts(results, report_dir)
    terminalreporter.section("conformance verdict")
    for line in verdict_lines(results, paths):
        terminalreporter.line(line)
