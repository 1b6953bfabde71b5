"""Hypothesis' minimal failing example: kept printable, and read from a check's exception."""

from __future__ import annotations

from conformance import sensitive


def restore_hypothesis_printer() -> None:
    """Give Hypothesis back its printer of failing examples.

    schemathesis (imported by the fuzz check) swaps Hypothesis' RepresentationPrinter
    for one that prints nothing, a speed-up for its own coverage phase; the suite's
    evidence needs the minimal failing example Hypothesis found.
    """
    from hypothesis import core
    from hypothesis.vendor import pretty

    core.RepresentationPrinter = pretty.RepresentationPrinter  # type: ignore[misc]


def failing_example(exc: BaseException | None) -> str | None:
    """The example Hypothesis attached to ``exc`` as notes, scrubbed; None if none."""
    notes = getattr(exc, "__notes__", None) or []
    text = "\n".join(str(n) for n in notes)
    return sensitive.scrub(text) if text else None
