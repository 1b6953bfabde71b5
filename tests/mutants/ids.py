"""Mutants of InferenceId assignment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IgnoresSuppliedIds:
    """IEA-ID-001: a fresh UUID even when the caller supplied an InferenceId."""

    def assign(self, supplied: str | None) -> str:
        return str(uuid.uuid4())


@dataclass(frozen=True)
class EmptyGeneratedIds:
    """IEA-ID-002: the caller's id is echoed, but none is generated when absent."""

    def assign(self, supplied: str | None) -> str:
        return supplied if supplied is not None else ""


@dataclass(frozen=True)
class ReusedGeneratedIds:
    """IEA-ID-003: one generated id, handed to every request that supplied none."""

    fixed: str = field(default_factory=lambda: str(uuid.uuid4()))

    def assign(self, supplied: str | None) -> str:
        return supplied if supplied is not None else self.fixed
