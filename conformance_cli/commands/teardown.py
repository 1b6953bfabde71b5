"""``conformance teardown``: delete what deploy-probe created, identified by its tags."""

from __future__ import annotations

import argparse
import sys

from conformance.targetfile import TargetFileError, load_target_file
from conformance_deploy import DeployError, teardown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", required=True, metavar="FILE", help="the target file deploy-probe wrote"
    )
    parser.add_argument("--region", default=None, help="AWS region (default: the target file's)")


def run(args: argparse.Namespace) -> int:
    try:
        target = load_target_file(args.target)
        result = teardown(target, target_path=args.target, region=args.region)
    except (DeployError, TargetFileError) as exc:
        print(f"conformance teardown: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    print(f"teardown: {result.summary()}")
    if not result.ok:
        print(
            "conformance teardown: some resources were not deleted (see above); "
            "refused ones lack the deployment tag and were left alone on purpose",
            file=sys.stderr,
        )
        return 1
    return 0
