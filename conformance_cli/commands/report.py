"""``conformance report DIR|RESULTS.json``: re-render every artefact from a results document.

Exit code: the document's verdict (0 conformant, 1 not, 3 harness errors);
2 when the file is not a valid results document.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance_cli.exits import UsageError
from reports.io import read_results
from reports.render import write_artefacts
from reports.render.terminal import verdict_lines
from reports.schema import InvalidResults


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results",
        metavar="DIR|RESULTS.json",
        help="a report directory (its results.json) or a results document",
    )
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        default=None,
        help="where to write the artefacts (default: the directory of RESULTS.json)",
    )


def run(args: argparse.Namespace) -> int:
    source = Path(args.results)
    if source.is_dir():
        source = source / "results.json"
        if not source.is_file():
            raise UsageError(f"{args.results}: no results.json in this directory")
    try:
        results = read_results(source)
    except InvalidResults as exc:
        raise UsageError(str(exc)) from None
    paths = write_artefacts(results, Path(args.report_dir) if args.report_dir else source.parent)
    print("\n".join(verdict_lines(results, paths)))
    return results.exit_code()
