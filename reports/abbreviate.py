"""Evidence a person can read: large or binary values shown abbreviated.

A target's answer can be megabytes, or bytes no terminal or HTML page should
carry raw (NULs, escape sequences). Every report shows such a value as its size,
its digest and a short escaped prefix; the full value, when a report directory
is at hand, goes to a file there (``evidence/<digest>.txt``) that the
abbreviation names. Everything here is linear in the size of its input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Strings longer than this (characters) are abbreviated in a results document.
DOCUMENT_LIMIT = 8_192
# How much of an abbreviated value is shown.
PREFIX_CHARS = 240
EVIDENCE_DIR = "evidence"

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x00``)."""
    return _UNPRINTABLE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def needs_abbreviation(text: str, limit: int) -> bool:
    return len(text) > limit


def abbreviate_text(text: str, *, limit: int = DOCUMENT_LIMIT, stored_as: str | None = None) -> str:
    """``text`` if short, escaped; else size, digest and an escaped prefix.

    ``stored_as`` names the file that holds the full value.
    """
    if len(text) <= limit:
        return escape_controls(text)
    size = len(text.encode("utf-8", "surrogatepass"))
    prefix = escape_controls(text[:PREFIX_CHARS])
    where = f"; full value in {stored_as}" if stored_as else ""
    return f"{prefix}… [abbreviated: {size} bytes, sha256:{digest(text)[:16]}{where}]"


class EvidenceStore:
    """Files holding the full values a document shows abbreviated, one per digest."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.written: dict[str, Path] = {}

    def store(self, text: str) -> str:
        """Write ``text`` (once per content); its path relative to the report directory."""
        name = f"{digest(text)[:32]}.txt"
        path = self.directory / name
        if name not in self.written:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="backslashreplace")
            self.written[name] = path
        return f"{self.directory.name}/{name}"


def abbreviate_document(
    value: Any, *, limit: int = DOCUMENT_LIMIT, store: EvidenceStore | None = None
) -> Any:
    """``value`` (a JSON-shaped document) with every long string abbreviated and every
    control character escaped; the full long values go to ``store`` when given."""
    if isinstance(value, str):
        if len(value) <= limit:
            return escape_controls(value)
        stored_as = store.store(value) if store is not None else None
        return abbreviate_text(value, limit=limit, stored_as=stored_as)
    if isinstance(value, Mapping):
        return {
            (escape_controls(k) if isinstance(k, str) else k): abbreviate_document(
                v, limit=limit, store=store
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [abbreviate_document(v, limit=limit, store=store) for v in value]
    return value
