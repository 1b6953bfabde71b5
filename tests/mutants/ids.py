"""Mutants of InferenceId assignment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from mutants.mutant import Mutant


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


MUTANTS: tuple[Mutant, ...] = (
    Mutant("ignores-supplied-id", "IEA-ID-001", lambda: {"inference_ids": IgnoresSuppliedIds()}),
    Mutant("generates-no-id", "IEA-ID-002", lambda: {"inference_ids": EmptyGeneratedIds()}),
    Mutant("reuses-generated-id", "IEA-ID-003", lambda: {"inference_ids": ReusedGeneratedIds()}),
)
