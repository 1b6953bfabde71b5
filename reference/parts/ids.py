"""InferenceId part: echo the caller's, else generate a fresh one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


class InferenceIds(Protocol):
    def assign(self, supplied: str | None) -> str: ...


@dataclass(frozen=True)
class Uuid4Ids:
    """The caller's InferenceId verbatim, else a UUID4 (the shape every capture shows)."""

    def assign(self, supplied: str | None) -> str:
        return supplied if supplied is not None else str(uuid.uuid4())
