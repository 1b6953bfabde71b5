"""The whole suite against the reference behind other HTTP front ends (issue 12), per seed.

    python benchmarks/front_ends.py [--variants iso-8859-1-front-end,...] [--depths quick,standard]
                                    [--seeds 1,2,3] [--selection NODEID ...]

Each target is the reference with one conforming variant's parts
(``tests/mutants/variants.py``): ``iso-8859-1-front-end`` reads header octets as
ISO-8859-1 before SigV4 and validation (what Python's http.server does),
``aws-documented-sigv4`` canonicalizes header values as AWS's SigV4 description
says (spaces only), ``reference`` is the reference itself. Every (target, depth,
seed) is one pytest run of the suite, like ``conformance run`` with
``--hypothesis-seed``; all share one embedded stack. Prints one line per run:
verdict (CONFORMANT = every MUST passed), MUST counts, the SHOULD/MAY advisories,
how the header-octet rule's behaviours were answered, and the wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mutants.runner import WHOLE_SUITE, SharedStack, SuiteRun, run_suite  # noqa: E402
from mutants.variants import compose  # noqa: E402

from reference.parts import DEFAULT_PARTS  # noqa: E402
from spec.catalogue import load_catalogue  # noqa: E402
from spec.contract import HEADER_OCTET_RULE  # noqa: E402

LEVELS = {b.id: b.level for b in load_catalogue()}


def verdict(run: SuiteRun) -> dict[str, object]:
    statuses = run.statuses()
    musts = [b for b, level in LEVELS.items() if level == "MUST" and b in statuses]
    passed = [b for b in musts if statuses[b] == "pass"]
    advisories = sorted(b for b, s in statuses.items() if s == "fail" and LEVELS[b] != "MUST")
    answers = {b: " | ".join(m for m in run.messages(b) if m)[:160] for b in HEADER_OCTET_RULE}
    return {
        "name": run.name,
        "verdict": "CONFORMANT" if musts and len(passed) == len(musts) else "NOT CONFORMANT",
        "must": f"{len(passed)}/{len(musts)}",
        "not_passed": {b: statuses[b] for b in musts if statuses[b] != "pass"},
        "advisories": advisories,
        "exit": run.returncode,
        "seconds": round(run.seconds, 1),
        "rule_answers": answers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="iso-8859-1-front-end")
    parser.add_argument("--depths", default="quick,standard")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--selection", nargs="*", default=list(WHOLE_SUITE))
    parser.add_argument("--output", type=Path, help="write every verdict as JSON here")
    args = parser.parse_args(argv)
    stack = SharedStack().start()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="front-ends-") as workdir:
            for name in args.variants.split(","):
                parts = DEFAULT_PARTS if name == "reference" else compose(name)[0]
                with stack.serve(parts) as service:
                    for depth in args.depths.split(","):
                        for seed in args.seeds.split(","):
                            run = run_suite(
                                f"{name}-{depth}-{seed}",
                                stack.env(service.url),
                                args.selection,
                                workdir=Path(workdir),
                                timeout=1200.0,
                                extra=("--depth", depth, "--hypothesis-seed", seed),
                            )
                            result = verdict(run)
                            results.append(result)
                            print(json.dumps(result), flush=True)
                            if run.returncode not in (0, 1):
                                print(run.output[-3000:], file=sys.stderr)
    finally:
        stack.stop()
    if args.output:
        args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0 if all(r["verdict"] == "CONFORMANT" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
