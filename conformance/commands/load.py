"""`conformance load`: the `load` profile as a command (see ``conformance.load.command``)."""

from __future__ import annotations

from conformance.load.command import add_arguments, run

__all__ = ["add_arguments", "run"]
