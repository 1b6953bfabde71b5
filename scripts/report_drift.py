"""Non-gating report: what a newer botocore or newer dependency releases would change.

Run by ``tox -e drift`` in an environment whose botocore is the newest release (not the
lock's). Prints the model drift of InvokeEndpointAsync (as ``conformance spec check``)
and the locked distributions that have newer releases. Exit 1 when the model drifted,
so a scheduled job shows it; CI never runs this: a release is reported, never a red run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from spec.generate import botocore_version, drift

LOCK = Path(__file__).resolve().parent.parent / "constraints.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def newer_releases(pins: dict[str, str]) -> list[str]:
    """Locked distributions whose newest release on the index is newer (pip's view)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--outdated", "--format", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    try:
        rows = json.loads(listed.stdout or "[]")
    except json.JSONDecodeError:
        return [f"(pip list --outdated failed: {listed.stderr.strip()[:200]})"]
    lines = []
    for row in rows:
        name = str(row.get("name", "")).lower().replace("_", "-")
        if name in pins:
            lines.append(f"{name}: locked {pins[name]}, newest {row.get('latest_version')}")
    return lines


def main() -> int:
    pins = locked()
    ok, diff = drift()
    print(f"botocore installed here: {botocore_version()} (locked: {pins.get('botocore')})")
    if ok:
        print("model: no drift; spec/openapi.json matches this botocore")
    else:
        print("model: DRIFT; regenerate with `python -m spec.generate` and review:")
        print(diff)
    newer = newer_releases(pins)
    print(f"locked distributions with newer releases: {len(newer)}")
    for line in newer:
        print(f"  {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
