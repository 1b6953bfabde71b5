"""Record a whole suite run on the reference, replay it against the reference and moto.

    python benchmarks/replay.py [--depth standard] [--workdir DIR] [--json out.json]

1. ``conformance run --depth D --record T`` against the embedded reference;
2. the transcript is checked the way docs/real-aws.md tells a user to check one
   before publishing it (schema, no account ID, ARN or access key ID, header names
   that are valid HTTP tokens);
3. ``conformance diff --against T reference`` (paced, as recorded): the figure that
   must be 0; then ``conformance diff --against T moto``: moto's disagreements,
   per behaviour.
Exit status 0 when the replay against the reference found no disagreement and
the one against moto found some. Not part of CI (``tox -e replay``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conformance.transcript import read_transcript  # noqa: E402

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PUBLISHING_CHECK = re.compile(r"(?:^|[^0-9A-Za-z-])[0-9]{12}(?:[^0-9A-Za-z-]|$)|arn:aws|AKIA|ASIA")


def conformance(*args: str, timeout: float) -> tuple[int, float, str]:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    return done.returncode, time.monotonic() - began, (done.stdout + done.stderr)[-3000:]


def check_transcript(path: Path) -> dict[str, Any]:
    records = read_transcript(path)  # raises on a schema violation
    text = path.read_text(encoding="utf-8")
    exchanges = [r for r in records if r["type"] == "exchange"]
    names = {n for r in exchanges for n in r["request"]["headers"]}
    return {
        "records": len(records),
        "exchanges": len(exchanges),
        "bytes": len(text.encode("utf-8")),
        "publishing_check_hits": len(_PUBLISHING_CHECK.findall(text)),
        "invalid_header_names": sorted(n for n in names if not _TOKEN.fullmatch(n)),
        "stand_in_header_names": sorted(n for n in names if n.startswith("x-redacted-")),
        "shaped_spans": sum(r["request"].get("shaped_spans", 0) for r in exchanges),
        "redacted_marks": text.count("[REDACTED]"),
    }


def replay(transcript: Path, target: str, folder: Path, timeout: float) -> dict[str, Any]:
    code, seconds, tail = conformance(
        "diff", "--against", str(transcript), target, "--report-dir", str(folder),
        timeout=timeout,
    )  # fmt: skip
    document = json.loads((folder / "diff.json").read_text(encoding="utf-8"))
    notes = document.get("replay", [])
    return {
        "exit_code": code,
        "seconds": round(seconds, 1),
        "requests": document["requests"],
        "disagreements": document["disagreements"],
        "behaviours": {g["id"]: g["count"] for g in document["behaviours"]},
        "with_stand_ins": sum(1 for n in notes if n["replayed"] == "with stand-ins"),
        "skipped": [f"{n['request']}: {'; '.join(n['why'])}" for n in notes
                    if n["replayed"] == "skipped"],
        "tail": tail if code not in (0, 1) else "",
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", default="standard", choices=["quick", "standard", "thorough"])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per step, seconds")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="conformance-replay-"))
    workdir.mkdir(parents=True, exist_ok=True)
    transcript = workdir / "run.jsonl"
    code, seconds, tail = conformance(
        "run", "--depth", args.depth, "--record", str(transcript),
        "--report-dir", str(workdir / "run-report"), timeout=args.timeout,
    )  # fmt: skip
    figures: dict[str, Any] = {
        "depth": args.depth,
        "record": {"exit_code": code, "seconds": round(seconds, 1)},
    }
    if code != 0:
        print(f"the recorded run did not pass on the reference (exit {code}):\n{tail}")
        return 1
    figures["transcript"] = check_transcript(transcript)
    for target in ("reference", "moto"):
        figures[target] = replay(transcript, target, workdir / f"replay-{target}", args.timeout)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    sheet = figures["transcript"]
    clean = not sheet["publishing_check_hits"] and not sheet["invalid_header_names"]
    return 0 if clean and figures["reference"]["disagreements"] == 0 and figures["moto"][
        "disagreements"
    ] else 1


if __name__ == "__main__":
    sys.exit(main())
