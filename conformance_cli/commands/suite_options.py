"""The suite's pytest options, offered by ``conformance run`` as its own.

The options are declared once, by the pytest plugins (``pytest_addoption``); this
module replays those declarations into an argparse group, so ``conformance run
--help`` lists every one with its help, and hands the values given back to pytest
unchanged. Not a subcommand (no ``run``): a helper of ``conformance run``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

# Options ``conformance run`` handles itself.
OWN = {"--target", "--conformance-results-json"}
# pytest option keywords argparse understands as they are.
_PASSED = ("help", "type", "choices", "action", "metavar", "dest")


@dataclass(frozen=True)
class SuiteOption:
    flag: str
    dest: str
    action: str


class _Recorder:
    """Stands in for pytest's parser and group: records each ``addoption``."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def getgroup(self, *_args: Any, **_kwargs: Any) -> _Recorder:
        return self

    def addoption(self, *names: str, **kwargs: Any) -> None:
        self.calls.append((names, kwargs))

    def addini(self, *_args: Any, **_kwargs: Any) -> None:
        pass


def _declarations() -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    from conformance import plugin, progress, selection

    recorder = _Recorder()
    for module in (plugin, selection, progress):
        module.pytest_addoption(recorder)  # type: ignore[arg-type]
    return recorder.calls


def add_to(group: argparse._ArgumentGroup) -> None:
    for names, kwargs in _declarations():
        if set(names) & OWN:
            continue
        options = {k: v for k, v in kwargs.items() if k in _PASSED}
        # None means "not given": only given options are passed on.
        group.add_argument(*names, default=None, **options)


def _options() -> list[SuiteOption]:
    found = []
    for names, kwargs in _declarations():
        if set(names) & OWN:
            continue
        flag = names[0]
        dest = kwargs.get("dest") or flag.lstrip("-").replace("-", "_")
        found.append(SuiteOption(flag, dest, kwargs.get("action", "store")))
    return found


def forwarded(args: argparse.Namespace) -> list[str]:
    """The pytest arguments that stand for the suite options given on the command line."""
    argv: list[str] = []
    for option in _options():
        value = getattr(args, option.dest, None)
        if value is None:
            continue
        if option.action == "store_true":
            argv += [option.flag] if value is True else []
        elif option.action == "store_false":
            argv += [option.flag] if value is False else []
        elif option.action == "append":
            for item in value:
                argv += [option.flag, str(item)]
        else:
            argv += [option.flag, str(value)]
    return argv
