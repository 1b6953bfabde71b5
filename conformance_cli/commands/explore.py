"""``conformance explore [TARGET]``: one designed request per open question, judging nothing.

TARGET is ``reference`` (default), ``moto`` or a target file. Writes
``<report-dir>/explore.json`` and ``explore.md``; with ``--record FILE`` also the
transcript of every exchange, to attach when settling a question.
Exit codes: 0 every question asked, 2 usage or configuration error, 3 the harness failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conformance.client import HarnessError
from conformance.target import ConfigurationError
from conformance_cli.exits import EXIT_HARNESS, EXIT_OK, UsageError

DEFAULT_REPORT_DIR = "explore-report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", nargs="?", default="reference", metavar="TARGET")
    parser.add_argument("--only", metavar="IDS", help="comma-separated question IDs")
    parser.add_argument("--record", metavar="FILE", help="write the transcript here")
    parser.add_argument("--outcome-deadline", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--report-dir", default=DEFAULT_REPORT_DIR, metavar="DIR")


def run(args: argparse.Namespace) -> int:
    import contextlib

    from conformance import recording
    from conformance.explore import explore, markdown
    from conformance_cli.livetargets import open_target
    from spec.questions import load_questions

    known = {q.id for q in load_questions()}
    only = {q.strip() for q in args.only.split(",")} if args.only else None
    if only and only - known:
        raise UsageError(f"--only: unknown question IDs {sorted(only - known)}")
    try:
        with contextlib.ExitStack() as stack:
            if args.record:
                stack.enter_context(
                    recording.recording(Path(args.record), recorded_with={"tool": "explore"})
                )
            session = stack.enter_context(
                open_target(args.target, outcome_deadline=args.outcome_deadline)
            )
            answers = explore(session, only=only)
            name = session.target.name
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from exc
    except HarnessError as exc:
        print(f"conformance explore: the harness failed: {exc}", file=sys.stderr)
        return EXIT_HARNESS
    folder = Path(args.report_dir)
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "format": "sagemaker-async-conformance/explore",
        "version": 1,
        "target": name,
        "questions": [a.to_dict() for a in answers],
    }
    (folder / "explore.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    text = markdown(name, answers)
    (folder / "explore.md").write_text(text, encoding="utf-8")
    print(text)
    return EXIT_OK
