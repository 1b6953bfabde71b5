"""Per-target expected failures: behaviour ID -> reason and link.

A listed behaviour that fails is ``xfail``; one that passes is an unexpected pass
and is reported as a failure (strict), so a stale expectations file is noticed.

    implementation = "moto"
    version = "5.2.x"

    [[expected_failure]]
    behaviour = "IEA-WIRE-001"
    reason = "answers 200 instead of 202"
    link = "https://github.com/getmoto/moto/..."
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conformance.target import ConfigurationError
from spec.catalogue import load_catalogue


@dataclass(frozen=True)
class ExpectedFailure:
    behaviour: str
    reason: str
    link: str = ""


@dataclass(frozen=True)
class Expectations:
    implementation: str = ""
    version: str = ""
    failures: Mapping[str, ExpectedFailure] = field(default_factory=dict)
    path: Path | None = None

    def get(self, behaviour: str) -> ExpectedFailure | None:
        return self.failures.get(behaviour)


def load_expectations(path: Path | None) -> Expectations:
    if path is None:
        return Expectations()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"expectations file {path}: {exc}") from exc
    known = set(load_catalogue().ids())
    failures: dict[str, ExpectedFailure] = {}
    unknown_keys = set(data) - {"implementation", "version", "expected_failure"}
    if unknown_keys:
        raise ConfigurationError(
            f"expectations file {path}: unknown keys {', '.join(sorted(unknown_keys))}"
        )
    for index, entry in enumerate(data.get("expected_failure", []), start=1):
        behaviour = entry.get("behaviour")
        reason = str(entry.get("reason", "")).strip()
        where = f"expectations file {path}, expected_failure #{index}"
        if behaviour not in known:
            raise ConfigurationError(f"{where}: behaviour={behaviour!r} is not in the catalogue")
        if not reason:
            raise ConfigurationError(f"{where}: {behaviour} needs a reason")
        if behaviour in failures:
            raise ConfigurationError(f"{where}: {behaviour} is listed twice")
        failures[behaviour] = ExpectedFailure(behaviour, reason, str(entry.get("link", "")))
    return Expectations(
        implementation=str(data.get("implementation", "")),
        version=str(data.get("version", "")),
        failures=failures,
        path=path,
    )
