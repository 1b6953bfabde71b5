"""``conformance spec``: show the contract (OpenAPI, behaviours, revisions) and check drift."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

from spec import revisions
from spec.catalogue import Behaviour, CatalogueError, load_catalogue

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    views = parser.add_subparsers(dest="view", metavar="VIEW", required=True)
    openapi = views.add_parser("openapi", help="print the OpenAPI 3.1 document")
    openapi.add_argument(
        "--revision", default=revisions.CURRENT, help="API revision (default: current)"
    )
    behaviours = views.add_parser("behaviours", help="print the behaviour catalogue")
    behaviours.add_argument("--format", choices=("markdown", "json"), default="markdown")
    behaviours.add_argument("--revision", default=None, help="only behaviours of this revision")
    behaviours.add_argument("--profile", action="append", help="only this profile (repeatable)")
    views.add_parser("revisions", help="list the API revisions, oldest first")
    views.add_parser("check", help="regenerate from the installed botocore and diff")


def run(args: argparse.Namespace) -> int:
    try:
        return VIEWS[args.view](args)
    except revisions.UnknownRevision as exc:
        print(f"conformance spec {args.view}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as exc:
        print(f"conformance spec {args.view}: broken catalogue:\n{exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK


def _openapi(args: argparse.Namespace) -> int:
    from spec.openapi import load_openapi

    print(json.dumps(load_openapi(args.revision), indent=2, ensure_ascii=False))
    return EXIT_OK


def _behaviours(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    unknown = sorted(set(args.profile or ()) - {b.profile for b in catalogue})
    if unknown:
        known = ", ".join(sorted({b.profile for b in catalogue}))
        print(
            f"conformance spec behaviours: unknown profile {', '.join(unknown)} "
            f"(profiles: {known})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    selected = catalogue.select(revision=args.revision, profiles=args.profile)
    if args.format == "json":
        print(json.dumps([b.to_dict() for b in selected], indent=2, ensure_ascii=False))
    else:
        print(_markdown(selected))
    return EXIT_OK


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(behaviours: tuple[Behaviour, ...]) -> str:
    lines = [
        "| ID | Level | Statement | Revision | Profile | Source |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {b.id} | {b.level} | {_cell(b.statement)} | {b.revision} | {b.profile} "
        f"| {_cell(b.source)} |"
        for b in behaviours
    ]
    levels = Counter(b.level for b in behaviours)
    summary = ", ".join(f"{levels[level]} {level}" for level in ("MUST", "SHOULD", "MAY"))
    lines += ["", f"{len(behaviours)} behaviours: {summary}."]
    lines += _rule_lines(behaviours)
    return "\n".join(lines)


def _rule_lines(behaviours: tuple[Behaviour, ...]) -> list[str]:
    """The header-octet rule, for the behaviours of the selection judged under it."""
    from spec.contract import HEADER_OCTET_RULE, HEADER_OCTET_RULE_TEXT

    shown = {b.id for b in behaviours}
    ruled = [(must, should) for must, should in HEADER_OCTET_RULE.items() if must in shown]
    if not ruled:
        return []
    pairs = ", ".join(f"{must} (400 ValidationError itself: {should}, SHOULD)"
                      for must, should in ruled)
    return [
        "",
        f"Header-octet rule (FACTS.md: non-ASCII and white space in headers): {pairs} "
        f"pass when the request is {HEADER_OCTET_RULE_TEXT}.",
    ]


def _revisions(args: argparse.Namespace) -> int:
    for name in revisions.REVISIONS:
        marker = " (current)" if name == revisions.CURRENT else ""
        print(f"{name}{marker}\t{revisions.DESCRIPTIONS[name]}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from spec.generate import DOCUMENT_PATH, botocore_version, drift

    ok, diff = drift()
    if ok:
        print(f"{DOCUMENT_PATH.name} matches the model in botocore {botocore_version()}")
        return EXIT_OK
    print(
        f"{DOCUMENT_PATH.name} differs from the model in botocore {botocore_version()}; "
        "review the diff, then run `python -m spec.generate` and commit:\n"
    )
    print(diff, end="")
    return EXIT_FAILED


VIEWS = {
    "openapi": _openapi,
    "behaviours": _behaviours,
    "revisions": _revisions,
    "check": _check,
}
