"""How the suite starts its embedded default target: the reference stack, in-process.

The only place (with `conformance serve`) where the suite imports `reference`.
"""

from __future__ import annotations

from typing import Any

from reference.stack import EmbeddedStack, StackSettings


def start_embedded(**kw: Any) -> tuple[EmbeddedStack, StackSettings]:
    """Start an `EmbeddedStack(**kw)`; the caller must `stack.stop()` it."""
    stack = EmbeddedStack(**kw)
    return stack, stack.start()
