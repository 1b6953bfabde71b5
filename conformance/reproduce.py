"""The command that reproduces a run, as the reports print it ("Reproduce").

It is the command the user typed (``conformance run`` passes it on; plain pytest
has ``sys.argv``) plus what a second run would otherwise choose differently: the
Hypothesis seed and the depth. The selection (-k, --behaviour, --area, the
target, ...) is part of the typed command already.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence


def _typed(argv: Sequence[str]) -> list[str]:
    """``sys.argv`` of a pytest run, as the user would type it again."""
    words = list(argv)
    if words and (words[0].endswith(("pytest/__main__.py", "/pytest", "/py.test"))):
        words[0:1] = ["python", "-m", "pytest"]
    return words


def _given(words: Sequence[str], option: str) -> bool:
    return any(w == option or w.startswith(option + "=") for w in words)


def reproduce_command(*, typed: str | None, argv: Sequence[str], seed: str, depth: str) -> str:
    """The typed command (or argv), with --hypothesis-seed and --depth unless given."""
    words = shlex.split(typed) if typed else _typed(argv)
    if not _given(words, "--hypothesis-seed"):
        words.append(f"--hypothesis-seed={seed}")
    if not _given(words, "--depth"):
        words.append(f"--depth={depth}")
    return shlex.join(words)
