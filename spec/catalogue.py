"""The behaviour catalogue: ``spec/behaviours.toml``, validated against its JSON Schema.

Each entry is one guarantee of InvokeEndpointAsync with a stable ID
(``IEA-<AREA>-<NNN>``), an RFC 2119 level, a one-sentence statement, the API
revision that introduced it, the profile it belongs to and its source.
A broken catalogue raises ``CatalogueError`` naming the entry, never a bare
traceback from the TOML or schema library.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from spec import revisions

CATALOGUE_PATH = Path(__file__).with_name("behaviours.toml")
SCHEMA_PATH = Path(__file__).with_name("behaviours.schema.json")
PROFILES: tuple[str, ...] = (
    "core",
    "validation",
    "model",
    "failure",
    "output-path",
    "inline-body",
    "lifecycle",
    "notifications",
    "auth",
    "clients",
    "load",
)
# Judged only when a target claims them by name: the `clients` profile runs the real
# AWS clients, which only the optional extra `clients` installs; claiming it by
# default would make every run without that extra "not a conformance claim".
# The `load` profile sends a burst of thousands of requests (and may inject faults):
# never by default, against anyone's endpoint.
OPT_IN_PROFILES: tuple[str, ...] = ("clients", "load")
# What a target claims when it names no profiles.
DEFAULT_PROFILES: tuple[str, ...] = tuple(p for p in PROFILES if p not in OPT_IN_PROFILES)
LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY")


class CatalogueError(ValueError):
    """The catalogue file is unreadable or breaks its schema or its invariants."""


@dataclass(frozen=True)
class Behaviour:
    """One guarantee."""

    id: str
    level: str
    statement: str
    revision: str
    profile: str
    source: str
    # The request constraints (``Member.kind``, see ``spec.contract.KINDS``) a target
    # breaks this behaviour by accepting: the one table validation is judged by.
    constraints: tuple[str, ...] = ()
    # The SHOULD asking for the answer this MUST prefers among those it accepts.
    preferred_answer: str | None = None
    retired: bool = False

    @property
    def area(self) -> str:
        """The middle of the ID: ``VAL`` for ``IEA-VAL-001``."""
        return self.id.split("-")[1]

    def not_claimed_reason(self, *, profiles: Iterable[str], revision: str) -> str:
        """Why a target claiming ``profiles`` at API ``revision`` is not judged on this
        behaviour; ``""`` when it is. The one applicability rule: the plugin skips by it
        and the results document marks behaviours unclaimed by it. An unknown revision
        covers nothing."""
        if self.profile not in set(profiles):
            return f"the target does not claim the {self.profile!r} profile"
        try:
            covered = revisions.includes(revision, self.revision)
        except ValueError:
            covered = False
        if not covered:
            return f"introduced in API revision {self.revision}; the target implements {revision}"
        return ""

    def claimed_by(self, *, profiles: Iterable[str], revision: str) -> bool:
        """A target claiming ``profiles`` at ``revision`` is judged on this behaviour."""
        return not self.not_claimed_reason(profiles=profiles, revision=revision)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "level": self.level,
            "statement": self.statement,
            "revision": self.revision,
            "profile": self.profile,
            "source": self.source,
        }
        if self.constraints:
            data["constraints"] = list(self.constraints)
        if self.preferred_answer:
            data["preferred_answer"] = self.preferred_answer
        if self.retired:
            data["retired"] = True
        return data


@dataclass(frozen=True)
class Catalogue:
    """All behaviours in file order; retired ones are kept but not iterated."""

    behaviours: tuple[Behaviour, ...]

    def __iter__(self) -> Iterator[Behaviour]:
        return (b for b in self.behaviours if not b.retired)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, behaviour_id: object) -> bool:
        return any(b.id == behaviour_id for b in self.behaviours)

    def get(self, behaviour_id: str) -> Behaviour:
        for behaviour in self.behaviours:
            if behaviour.id == behaviour_id:
                return behaviour
        raise KeyError(f"no behaviour {behaviour_id!r} in the catalogue")

    def ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self)

    def musts(self) -> tuple[Behaviour, ...]:
        return tuple(b for b in self if b.level == "MUST")

    def select(
        self,
        *,
        revision: str | None = None,
        profiles: Iterable[str] | None = None,
        levels: Iterable[str] | None = None,
    ) -> tuple[Behaviour, ...]:
        """Behaviours a target at ``revision`` claiming ``profiles`` is judged on."""
        wanted_profiles = set(PROFILES if profiles is None else profiles)
        wanted_levels = None if levels is None else set(levels)
        target = revisions.REVISIONS[-1] if revision is None else revisions.normalize(revision)
        return tuple(
            b
            for b in self
            if b.claimed_by(profiles=wanted_profiles, revision=target)
            and (wanted_levels is None or b.level in wanted_levels)
        )


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _entry_name(index: int, entry: Any) -> str:
    ident = entry.get("id") if isinstance(entry, dict) else None
    return f"entry {index + 1}" + (f" ({ident})" if isinstance(ident, str) else "")


def parse(text: str, *, origin: str = "behaviours.toml") -> Catalogue:
    """Validate catalogue text and build the Catalogue; raise CatalogueError if broken."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: not valid TOML: {exc}") from None
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:10]:
            path = list(error.absolute_path)
            where = origin
            if len(path) >= 2 and path[0] == "behaviour":
                where = f"{origin}: {_entry_name(int(path[1]), data['behaviour'][path[1]])}"
                if len(path) > 2:
                    where += f" field {path[2]!r}"
            lines.append(f"{where}: {error.message}")
        raise CatalogueError("\n".join(lines))
    behaviours = tuple(
        Behaviour(**{**entry, "constraints": tuple(entry.get("constraints", ()))})
        for entry in data["behaviour"]
    )
    _check_invariants(behaviours, origin)
    return Catalogue(behaviours)


def _check_invariants(behaviours: tuple[Behaviour, ...], origin: str) -> None:
    seen_ids: dict[str, int] = {}
    seen_statements: dict[str, str] = {}
    seen_constraints: dict[str, str] = {}
    for index, behaviour in enumerate(behaviours):
        where = f"{origin}: entry {index + 1} ({behaviour.id})"
        if behaviour.id in seen_ids:
            raise CatalogueError(f"{where}: duplicate ID, first at entry {seen_ids[behaviour.id]}")
        seen_ids[behaviour.id] = index + 1
        statement = " ".join(behaviour.statement.lower().split())
        if statement in seen_statements:
            raise CatalogueError(f"{where}: same statement as {seen_statements[statement]}")
        seen_statements[statement] = behaviour.id
        if behaviour.level == "MUST" and "[open]" in behaviour.source:
            raise CatalogueError(f"{where}: a MUST cannot rest on an [open] fact")
        for constraint in behaviour.constraints:
            if constraint in seen_constraints:
                raise CatalogueError(
                    f"{where}: constraint {constraint} is already judged by "
                    f"{seen_constraints[constraint]}"
                )
            seen_constraints[constraint] = behaviour.id
    levels = {b.id: b.level for b in behaviours}
    for index, behaviour in enumerate(behaviours):
        preferred = behaviour.preferred_answer
        if preferred is not None and levels.get(preferred) != "SHOULD":
            raise CatalogueError(
                f"{origin}: entry {index + 1} ({behaviour.id}): preferred_answer {preferred} "
                "is not a SHOULD of the catalogue"
            )


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Load and validate the catalogue (the packaged one unless ``path`` is given)."""
    if path is None:
        return _packaged()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _packaged() -> Catalogue:
    return _load(CATALOGUE_PATH)


def _load(path: Path) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"cannot read {path}: {exc.strerror}") from None
    return parse(text, origin=path.name)
