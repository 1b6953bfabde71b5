"""``conformance prepare-moto``: make a running moto_server a target the suite can judge."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance_deploy.errors import DeployError
from conformance_deploy.moto import prepare_moto


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", default="http://127.0.0.1:5000", help="the moto_server URL (default: %(default)s)"
    )
    parser.add_argument(
        "--target-file",
        default="moto-target.toml",
        help="where to write the target file (default: %(default)s)",
    )
    parser.add_argument(
        "--no-expectations",
        action="store_true",
        help="leave the shipped moto expectations out of the target file",
    )


PREFIX = "conformance prepare-moto:"


def _say(line: str) -> None:
    """deploy-probe's progress lines, said by the command the user ran."""
    print(PREFIX + line.removeprefix("deploy-probe:") if line.startswith("deploy-probe:") else line)


def run(args: argparse.Namespace) -> int:
    try:
        path = prepare_moto(
            args.url, Path(args.target_file), expectations=not args.no_expectations, out=_say
        )
    except (RuntimeError, DeployError) as exc:
        print(f"conformance prepare-moto: {exc}", file=sys.stderr)
        return 2
    print(f"conformance prepare-moto: wrote {path}. Next: conformance run --target {path}")
    return 0
