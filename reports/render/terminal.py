"""The few lines a command prints after a run: verdict, counts, where the report is."""

from __future__ import annotations

from pathlib import Path

from reports.results import Results
from reports.status import DISPLAY_ORDER


def verdict_lines(results: Results, paths: dict[str, Path] | None = None) -> list[str]:
    summary = results.summary
    must = summary["must"]
    if results.harness_failed:
        word = "HARNESS ERROR (the suite could not judge some behaviours)"
    else:
        word = "CONFORMANT" if results.conformant else "NOT CONFORMANT"
        if results.partial:
            word += " (partial run)"
    impl = f" ({results.run.implementation})" if results.run.implementation else ""
    lines = [
        f"conformance: {word} — {results.run.target_name}{impl}",
        f"  {must['passed']}/{must['applicable']} claimed MUST behaviours "
        + ("judged by the selected checks " if results.partial else "")
        + "passed "
        f"({must['pass_percent']}%)",
    ]
    if results.partial:
        lines.append(f"  {results.scope_note}")
    lines += [f"  - {reason}" for reason in summary["reasons"]]
    lines.append("  " + " · ".join(f"{s} {summary['counts'][s]}" for s in DISPLAY_ORDER))
    if paths:
        lines.append(f"  report: {paths['html'].resolve()}")
        others = ", ".join(p.name for k, p in paths.items() if k != "html")
        lines.append(f"  also: {others} in {paths['html'].parent.resolve()}")
    return lines
