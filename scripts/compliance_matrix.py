"""Regenerate docs/compliance-matrix.md: the suite against the embedded reference and
against moto_server (started here, on loopback), side by side.

    python scripts/compliance_matrix.py [--depth standard] [--output docs]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance_deploy.moto import moto_server, prepare_moto


def _run(args: list[str], env: dict[str, str], cwd: Path) -> int:
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, env=env, cwd=cwd, timeout=3600).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", default="standard")
    parser.add_argument("--output", default="docs")
    options = parser.parse_args()
    output = Path(options.output).resolve()
    conformance = [sys.executable, "-m", "conformance"]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    with tempfile.TemporaryDirectory(prefix="compliance-matrix-") as work:
        folder = Path(work)
        code = _run(
            [*conformance, "run", "--report-dir", str(folder / "reference"),
             "--depth", options.depth],
            base, folder,
        )  # fmt: skip
        if code not in (0, 1):
            return code
        moto_env = {
            **base,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        with moto_server() as url:
            target = prepare_moto(url, folder / "moto.toml", out=lambda _: None)
            code = _run(
                [*conformance, "run", "--target", str(target), "--report-dir",
                 str(folder / "moto"), "--depth", options.depth, "--outcome-deadline", "5"],
                moto_env, folder,
            )  # fmt: skip
            if code not in (0, 1):
                return code
        code = _run(
            [*conformance, "matrix", str(folder / "reference" / "results.json"),
             str(folder / "moto" / "results.json"), "--output-dir", str(folder)],
            base, folder,
        )  # fmt: skip
        if code != 0:
            return code
        output.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / "compliance-matrix.md", output / "compliance-matrix.md")
        print(f"wrote {output / 'compliance-matrix.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
