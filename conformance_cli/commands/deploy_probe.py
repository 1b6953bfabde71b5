"""``conformance deploy-probe``: deploy the probe endpoint and its topics on AWS."""

from __future__ import annotations

import argparse
import sys

from conformance_deploy import (
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_NAME,
    DeployError,
    deploy_probe,
    make_plan,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--image", required=True, help="probe image URI in ECR")
    parser.add_argument("--role", required=True, help="SageMaker execution role ARN")
    parser.add_argument(
        "--bucket", required=True, metavar="S3_URI", help="s3://BUCKET/prefix for I/O"
    )
    parser.add_argument("--instance-type", default=DEFAULT_INSTANCE_TYPE)
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=1,
        metavar="N",
        help="MaxConcurrentInvocationsPerInstance (default 1: the TTL check fills the queue)",
    )
    parser.add_argument(
        "--name", default=DEFAULT_NAME, help="deployment name (default %(default)s)"
    )
    parser.add_argument("--region", default=None, help="AWS region (default: the configured one)")
    parser.add_argument(
        "--target-file",
        default=None,
        metavar="PATH",
        help="target file to write (default <name>.target.toml)",
    )
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="how long to wait for InService; 0 does not wait (default %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    target_path = args.target_file or f"{args.name}.target.toml"
    try:
        plan = make_plan(
            name=args.name,
            image=args.image,
            role_arn=args.role,
            bucket=args.bucket,
            instance_type=args.instance_type,
            max_concurrency=args.max_concurrency,
        )
        if args.wait_timeout < 0:
            raise DeployError(f"--wait-timeout {args.wait_timeout}: expected 0 or more seconds")
        result = deploy_probe(
            plan, target_path=target_path, region=args.region, wait_timeout=args.wait_timeout
        )
    except DeployError as exc:
        print(f"conformance deploy-probe: {exc}", file=sys.stderr)
        return exc.exit_code
    created, reused = len(result.created), len(result.reused)
    what = "nothing created, everything already existed" if not created else f"created {created}"
    print(
        f"deploy-probe: done ({what}, reused {reused}; endpoint {result.endpoint_status}). "
        f"Next: conformance run --target {target_path}"
    )
    return 0
