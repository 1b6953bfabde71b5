"""``conformance init-target``: write a commented target file with every key.

The file is a template for a custom target (a clone, a gateway, an emulator): the
keys a run needs are set, every other key of the format is present as a comment
saying what it does and when to set it. The file loads as written; uncommenting
any key with its example value keeps it loadable (the project's tests check both).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.targetfile import TargetFileError, load_target_file
from conformance_cli.exits import EXIT_OK, UsageError
from spec import revisions
from spec.catalogue import PROFILES

TEMPLATE = """\
# Target file for the InvokeEndpointAsync conformance suite.
# Run with: conformance run --target {path}
# Options on the command line win over this file, this file over the environment
# (AWS_ENDPOINT_URL_<SERVICE>, AWS_REGION, AWS_PROFILE). Credentials never go here:
# they come from botocore's usual chain.

# A name for the reports.
name = "{name}"
# The async endpoint the suite invokes (it must exist, with an AsyncInferenceConfig).
endpoint_name = "{endpoint_name}"
# Where the suite may write its inputs (it adds a per-run prefix and cleans up).
input_s3 = "{input_s3}"
# A second endpoint of the same endpoint config for the slow scenarios (TTL,
# concurrency, timeout), so their hold does not delay the other checks.
# scenario_endpoint_name = "{endpoint_name}-scenarios"
# The API revision the target claims ({revisions}).
revision = "{revision}"
# The profiles the target claims; behaviours of other profiles are skipped.
profiles = [{profiles}]
# Is the endpoint's model the probe (reference/probe)? Checks that need it are
# skipped when false, and such a run is not a conformance claim.
probe = true
# An emulator may run TTLs and timeouts faster: 0.05 makes a 60 s TTL 3 s.
clock_scale = 1.0
# Seconds to wait for a request's outcome in S3 on an idle endpoint (default 30).
# outcome_deadline = 30.0
region = "{region}"
# Known departures: behaviour -> reason, link; relative to this file.
# expectations = "expectations.toml"
# A real-AWS target: enables the cost estimate at the end of a run.
# aws = false

# Per-service endpoint URLs (as AWS_ENDPOINT_URL_<SERVICE>); delete the table for AWS.
[endpoints]
sagemaker_runtime = "{url}"
sagemaker = "{url}"
s3 = "{url}"
sns = "{url}"
sqs = "{url}"

# The endpoint's async config, used only when the suite's credentials cannot
# describe the endpoint (DescribeEndpoint/DescribeEndpointConfig).
# [async_config]
# s3_output_path = "s3://my-bucket/output"
# s3_failure_path = "s3://my-bucket/failure"
# success_topic = "arn:aws:sns:us-east-1:123456789012:my-success"
# error_topic = "arn:aws:sns:us-east-1:123456789012:my-error"
# include_inference_response_in = ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"]
# max_concurrent_invocations_per_instance = 2
# instance_count = 1

# An SQS queue already subscribed to both topics; without it the suite creates a
# per-run queue and removes it at the end.
# [notifications]
# queue_url = "http://127.0.0.1:4566/000000000000/my-notifications"

# Written by `conformance deploy-probe`, read by `conformance teardown`: leave it
# to them.
# [deployment]
# tag_key = "conformance:deployment"
# tag_value = "conformance-probe"
# resources = ["arn:aws:sns:us-east-1:123456789012:conformance-probe-success"]
# instance_type = "ml.m5.large"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default="conformance-target.toml",
        help="the file to write (default: %(default)s)",
    )
    parser.add_argument(
        "--endpoint-url",
        default="http://127.0.0.1:4566",
        help="the URL of every service of the target (default: %(default)s)",
    )
    parser.add_argument("--endpoint-name", default="my-async-endpoint")
    parser.add_argument("--input-s3", default="s3://my-bucket/conformance/input/")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--name", default="my InvokeEndpointAsync implementation")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def render(args: argparse.Namespace) -> str:
    return TEMPLATE.format(
        path=args.path,
        name=args.name,
        endpoint_name=args.endpoint_name,
        input_s3=args.input_s3,
        revision=revisions.CURRENT,
        revisions=", ".join(revisions.REVISIONS),
        profiles=", ".join(f'"{p}"' for p in PROFILES),
        region=args.region,
        url=args.endpoint_url.rstrip("/"),
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    path.write_text(render(args), encoding="utf-8")
    try:
        load_target_file(path)
    except TargetFileError as exc:
        path.unlink()
        raise UsageError(f"the values given make an invalid target file: {exc}") from None
    print(f"conformance init-target: wrote {path}; edit it, then: conformance run --target {path}")
    return EXIT_OK
