"""Installs are reproducible: every dependency is pinned in the committed lock, the pins
satisfy pyproject.toml, and this environment was installed from it."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"constraints.txt: not an exact pin: {line!r}"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(n) for n in names]


@pytest.mark.parametrize("requirement", requirements("dev"), ids=str)
def test_every_dependency_is_pinned_within_its_range(requirement: Requirement) -> None:
    locked = pins()
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{requirement} is not in constraints.txt: run scripts/lock"
    assert requirement.specifier.contains(locked[name], prereleases=True), (
        f"constraints.txt pins {name}=={locked[name]}, outside {requirement}: run scripts/lock"
    )


def test_this_environment_was_installed_from_the_lock() -> None:
    locked = pins()
    drifted = {
        req.name: (metadata.version(req.name), locked[canonicalize_name(req.name)])
        for req in requirements("dev")
        if canonicalize_name(req.name) in locked
        and metadata.version(req.name) != locked[canonicalize_name(req.name)]
    }
    assert not drifted, f"installed (version, locked): {drifted}; run scripts/bootstrap"
