"""Values that must never reach a report or the terminal: credentials, CustomAttributes.

Two defences: sensitive values are wrapped so their repr never shows them (Hypothesis
prints drawn values in falsifying examples), and every value the run registers here is
scrubbed from failure text before pytest prints or records it.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from reports.redact import REDACTED, replace_secrets

# Shorter values cannot be scrubbed from free text without destroying it; the suite
# never prints such values itself (they are wrapped), this is the last line only.
MIN_SCRUB_LENGTH = 6
# One mask everywhere: the terminal, the results document and every artefact.
MASK = REDACTED

_lock = threading.Lock()
_values: set[str] = set()


def register(value: str | None) -> None:
    """Remember ``value`` as secret for the rest of the run."""
    if value and len(value) >= MIN_SCRUB_LENGTH:
        with _lock:
            _values.add(value)


def registered() -> frozenset[str]:
    with _lock:
        return frozenset(_values)


def scrub(text: str) -> str:
    """``text`` with every registered value masked (longest first)."""
    return replace_secrets(text, registered())


def fingerprint(value: str | bytes) -> str:
    data = value.encode("latin-1", "replace") if isinstance(value, str) else value
    return f"{len(data)} bytes, sha256:{hashlib.sha256(data).hexdigest()[:12]}"


class SensitiveText(str):
    """A str whose repr never shows its value; Hypothesis and pytest print the repr."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<sensitive {fingerprint(str(self))}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def sensitive(value: str) -> SensitiveText:
    register(value)
    return SensitiveText(value)


def scrub_report(report: Any) -> None:
    """Mask registered secrets in what pytest will print for this test report."""
    if not registered():
        return
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        scrubbed = scrub(text)
        if scrubbed != text:
            report.longrepr = scrubbed
    report.sections = [(title, scrub(body)) for title, body in report.sections]


def scrub_value(value: Any) -> Any:
    """``value`` with every string in it scrubbed (dicts and lists walked)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v) for v in value]
    return value
