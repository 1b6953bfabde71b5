"""Mutants of the reference: each breaks exactly one guarantee, through one seam.

A mutant is `dataclasses.replace(DEFAULT_PARTS, <field>=<broken part>)`; the
broken parts live in this package's modules, one small class each, and each
module's `MUTANTS` names, for each, the behaviour it breaks and the parts it
replaces. The check that must notice is derived (`mutants.mutant`): the run of
that check must report the behaviour `fail`, and the reference must pass it.
"""

from __future__ import annotations

from mutants import (
    auth,
    container,
    front_end,
    ids,
    notifications,
    outputs,
    timing,
    validation,
    wire,
)
from mutants.mutant import Mutant

MUTANTS: tuple[Mutant, ...] = tuple(
    mutant
    for module in (wire, validation, front_end, ids, container, outputs, timing, notifications,
                   auth)
    for mutant in module.MUTANTS
)

__all__ = ["MUTANTS", "Mutant"]
