"""The ``conformance`` command: one subcommand per module in ``conformance_cli.commands``.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args) -> int``,
so adding a command never touches this file's logic, only the table below.
Exit codes shared by every subcommand: 0 success/conformant, 1 not conformant or
check failed, 2 usage or configuration error, 3 the harness itself failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from conformance_cli.exits import EXIT_USAGE, UsageError

# subcommand name -> (module under conformance_cli.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "run the suite against a target and write every report artefact"),
    "report": ("report", "re-render the artefacts of a results document"),
    "matrix": ("matrix", "build a behaviour x target matrix from several results documents"),
    "spec": ("spec", "show the contract: OpenAPI document, behaviours, revisions, drift check"),
    "serve": ("serve", "start the embedded reference stack and print its settings"),
    "deploy-probe": ("deploy_probe", "deploy the probe endpoint and its topics on AWS"),
    "teardown": ("teardown", "delete what deploy-probe created, by its tags"),
    "init-target": ("init_target", "write a commented target file with every key, to edit"),
    "load": ("load", "a bounded burst on Locust; judge that each accepted request has one outcome"),
    "prepare-moto": (
        "prepare_moto",
        "create the endpoint in a running moto_server and write its target file",
    ),
    "diff": ("diff", "compare two targets (or a transcript and a target) request by request"),
    "explore": ("explore", "ask a target each [open] question of FACTS.md, judging nothing"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance",
        description="Conformance suite for SageMaker Runtime InvokeEndpointAsync.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(f"conformance_cli.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"conformance_cli.commands.{module_name}":
                raise
            continue
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_USAGE
    if extra and not getattr(args, "accepts_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"conformance {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"conformance {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
