"""Which catalogue behaviours a target's claim covers (profiles and API revision)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from spec.catalogue import PROFILES
from spec.revisions import REVISIONS, normalize
from spec.revisions import includes as spec_includes

__all__ = ["PROFILES", "claimed_profiles", "includes", "normalize_revision", "revisions"]


class BehaviourLike(Protocol):
    id: str
    level: str
    statement: str
    revision: str
    profile: str
    source: str


def revisions() -> tuple[str, ...]:
    return tuple(REVISIONS)


def normalize_revision(name: str | None) -> str:
    """``current``/``latest``/empty -> the newest revision; otherwise ``name`` (canonical)."""
    if not name or str(name).strip().lower() in {"current", "latest"}:
        return revisions()[-1]
    try:
        return str(normalize(str(name)))
    except ValueError:  # unknown: `includes` then covers nothing
        return str(name)


def includes(target_revision: str, introduced: str) -> bool:
    """Whether a target implementing ``target_revision`` is bound by ``introduced``."""
    try:
        return bool(spec_includes(target_revision, introduced))
    except ValueError:  # an unknown revision name: it covers nothing we can name
        return False


def claimed_profiles(target: dict[str, Any], catalogue_profiles: Iterable[str]) -> tuple[str, ...]:
    """The profiles the target claims; every profile when it names none."""
    profiles = target.get("profiles")
    if not profiles:
        return tuple(dict.fromkeys(catalogue_profiles))
    if isinstance(profiles, str):
        profiles = [p.strip() for p in profiles.split(",") if p.strip()]
    return tuple(dict.fromkeys(str(p) for p in profiles))


def area_of(behaviour: BehaviourLike) -> str:
    """``IEA-VAL-001`` -> ``VAL`` (the catalogue's ``area`` property when it has one)."""
    area = getattr(behaviour, "area", None)
    if isinstance(area, str) and area:
        return area
    parts = behaviour.id.split("-")
    return parts[1] if len(parts) >= 3 else behaviour.id


def not_applicable_reason(
    behaviour: BehaviourLike, *, profiles: Sequence[str], revision: str
) -> str:
    """Why the target's claim does not cover ``behaviour``; ``""`` when it does."""
    if behaviour.profile not in profiles:
        return f"the target does not claim the {behaviour.profile!r} profile"
    if not includes(revision, behaviour.revision):
        return f"introduced in API revision {behaviour.revision}; the target implements {revision}"
    return ""
