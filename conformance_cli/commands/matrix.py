"""``conformance matrix A.json B.json ...``: a behaviour x target table (Markdown and HTML)."""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance_cli.exits import EXIT_OK, UsageError
from reports.io import read_results
from reports.matrix import render_matrix
from reports.schema import InvalidResults

MARKDOWN_NAME = "compliance-matrix.md"
HTML_NAME = "compliance-matrix.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results",
        metavar="RESULTS.json",
        nargs="+",
        help="results documents, one column each, in this order",
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default=".",
        help=f"where to write {MARKDOWN_NAME} and {HTML_NAME} (default: .)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        documents = [read_results(path) for path in args.results]
    except InvalidResults as exc:
        raise UsageError(str(exc)) from None
    markdown, html = render_matrix(documents)
    directory = Path(args.output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ((MARKDOWN_NAME, markdown), (HTML_NAME, html)):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        print(path)
    return EXIT_OK
