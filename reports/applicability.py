"""What a target's description claims (profiles, API revision), read from a results document.

Whether that claim covers a behaviour is the catalogue's rule,
``spec.catalogue.Behaviour.not_claimed_reason``, shared with the plugin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spec.catalogue import PROFILES
from spec.revisions import REVISIONS, normalize

__all__ = ["PROFILES", "claimed_profiles", "normalize_revision", "revisions"]


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


def claimed_profiles(target: dict[str, Any], catalogue_profiles: Iterable[str]) -> tuple[str, ...]:
    """The profiles the target claims; every profile when it names none."""
    profiles = target.get("profiles")
    if not profiles:
        return tuple(dict.fromkeys(catalogue_profiles))
    if isinstance(profiles, str):
        profiles = [p.strip() for p in profiles.split(",") if p.strip()]
    return tuple(dict.fromkeys(str(p) for p in profiles))
