"""The input a burst uploads for each request: shared by the driver and the collector."""

from __future__ import annotations

import hashlib
import json


def input_body(tag: str) -> bytes:
    """Probe instructions tagging the run with ``tag`` (the probe echoes the body's hash)."""
    return json.dumps({"tag": tag}).encode()


def input_sha256(tag: str) -> str:
    return hashlib.sha256(input_body(tag)).hexdigest()
