"""``conformance diff A B`` and ``conformance diff --against TRANSCRIPT B``.

A and B are each ``reference`` (an embedded stack of its own), ``moto`` (a
moto_server the command starts) or a target file. Both get the same derandomized
corpus (``--seed``, ``--examples``); with ``--against`` the transcript's requests
are replayed against B instead, rewritten to B's endpoint and buckets. What each
observably did is compared after normalization; the disagreements, grouped by
behaviour, go to ``<report-dir>/diff.{json,md,html}`` and ``diff-junit.xml``.

Exit codes: 0 no disagreement, 1 disagreements, 2 usage or configuration error,
3 the harness failed.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from conformance.client import HarnessError
from conformance.target import ConfigurationError
from conformance.transcript import InvalidTranscript, read_transcript
from conformance_cli.exits import EXIT_FAILED, EXIT_HARNESS, EXIT_OK, UsageError

DEFAULT_REPORT_DIR = "diff-report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="A and B (or only B with --against): reference, moto or a target file",
    )
    parser.add_argument(
        "--against",
        metavar="TRANSCRIPT",
        help="replay this transcript's requests against the one TARGET",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--examples", type=int, default=6, help="generated valid requests in the corpus (default 6)"
    )
    parser.add_argument(
        "--outcome-deadline",
        type=float,
        default=10.0,
        help="seconds to wait for outcomes in S3 (default 10)",
    )
    parser.add_argument(
        "--no-pace",
        action="store_true",
        help="replay as fast as possible, not at the recorded offsets",
    )
    parser.add_argument("--report-dir", default=DEFAULT_REPORT_DIR, metavar="DIR")


def run(args: argparse.Namespace) -> int:
    from conformance.corpus import build_corpus
    from conformance.diff_run import diff_targets, replay_and_compare
    from conformance_cli.livetargets import open_target
    from reports.diff_report import markdown, to_document, write_diff_artefacts
    from spec.catalogue import load_catalogue

    if args.examples < 0 or args.examples > 1000:
        raise UsageError(f"--examples={args.examples}: expected 0..1000")
    wanted = 1 if args.against else 2
    if len(args.targets) != wanted:
        raise UsageError(
            "give one TARGET with --against TRANSCRIPT"
            if args.against
            else "give two targets: conformance diff A B (reference, moto or a target file)"
        )
    opener = functools.partial(open_target, outcome_deadline=args.outcome_deadline)
    statements = {b.id: b.statement for b in load_catalogue()}
    try:
        if args.against:
            path = Path(args.against)
            if not path.is_file():
                raise UsageError(f"--against {path}: no such file")
            read_transcript(path)  # a broken transcript is a usage error before any start-up
            with opener(args.targets[0]) as session:
                a, b, found = replay_and_compare(path, session, keep_pace=not args.no_pace)
            corpus = {"transcript": str(path)}
        else:
            entries = build_corpus(at_seed=args.seed, examples=args.examples)
            a, b, found = diff_targets(
                entries, lambda: opener(args.targets[0]), lambda: opener(args.targets[1])
            )
            corpus = {"seed": args.seed, "examples": args.examples, "requests": len(entries)}
    except (ConfigurationError, InvalidTranscript) as exc:
        raise UsageError(str(exc)) from exc
    except HarnessError as exc:
        print(f"conformance diff: the harness failed: {exc}", file=sys.stderr)
        return EXIT_HARNESS
    document = to_document(
        a={"name": a.name, **a.described},
        b={"name": b.name, **b.described},
        requests=len(a.observations),
        disagreements=found,
        corpus=corpus,
        statements=statements,
    )
    paths = write_diff_artefacts(document, Path(args.report_dir))
    print(markdown(document))
    print("  " + "  ".join(f"{kind}: {path}" for kind, path in paths.items()))
    return EXIT_FAILED if found else EXIT_OK
