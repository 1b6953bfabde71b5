"""A short Markdown summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from reports.render import load_figures
from reports.render.evidence import first_line
from reports.results import BehaviourResult, Results
from reports.status import DISPLAY_ORDER

MAX_LISTED = 25
_ICON = {"pass": "✅", "fail": "❌", "xfail": "⚠️", "error": "💥", "skip": "⏭️", "untested": "❔"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


def render_markdown(results: Results, *, report_link: str = "report.html") -> str:
    """Verdict, counts, claimed profiles, and the behaviours that need attention."""
    run, summary = results.run, results.summary
    must = summary["must"]
    icon = "💥" if results.harness_failed else ("✅" if results.conformant else "❌")
    word = (
        "Harness error"
        if results.harness_failed
        else ("Conformant" if results.conformant else "Not conformant")
    )
    if results.partial:
        word += " (partial run)"
    impl = f" ({run.implementation})" if run.implementation else ""
    lines = [
        f"## {icon} {word}: {_cell(run.target_name)}{_cell(impl)}",
        "",
        *([f"> {_cell(results.scope_note)}", ""] if results.partial else []),
        f"**{must['passed']} / {must['applicable']}** claimed MUST behaviours passed "
        f"({must['pass_percent']}%) · revision `{run.target.get('revision') or ''}` · "
        f"profiles: {', '.join(results.claimed_profiles)}",
        "",
    ]
    lines += [f"- {_cell(reason)}" for reason in summary["reasons"]]
    if summary["reasons"]:
        lines.append("")
    lines += [
        "| " + " | ".join(f"{_ICON[s]} {s}" for s in DISPLAY_ORDER) + " |",
        "|" + "---:|" * len(DISPLAY_ORDER),
        "| " + " | ".join(str(summary["counts"][s]) for s in DISPLAY_ORDER) + " |",
        "",
    ]
    lines += load_figures.markdown_lines(results)
    lines += _attention(results.behaviours)
    lines += [
        f"Seed `{_cell(run.seed)}` · {run.duration:.1f} s · reproduce: `{_cell(run.command)}` · "
        f"full report: [{report_link}]({report_link})",
        "",
    ]
    return "\n".join(lines)


def _attention(behaviours: tuple[BehaviourResult, ...]) -> list[str]:
    """Claimed behaviours that are not passing, failures first, at most ``MAX_LISTED``."""
    order = {"fail": 0, "error": 1, "untested": 2, "xfail": 3, "skip": 4}
    level = {"MUST": 0, "SHOULD": 1, "MAY": 2}
    flagged = sorted(
        (b for b in behaviours if b.claimed and b.status != "pass"),
        key=lambda b: (order.get(b.status, 9), level.get(b.level, 9)),
    )
    if not flagged:
        return []
    lines = [
        f"<details><summary>{len(flagged)} claimed behaviours not passing</summary>",
        "",
        "| status | behaviour | level | detail |",
        "|---|---|---|---|",
    ]
    for b in flagged[:MAX_LISTED]:
        failing = b.failing_tests
        detail = first_line(failing[0].message, 140) if failing and failing[0].message else b.reason
        text = _cell(detail or b.statement)
        lines.append(f"| {_ICON[b.status]} {b.status} | `{b.id}` | {b.level} | {text} |")
    if len(flagged) > MAX_LISTED:
        lines.append(f"| | … and {len(flagged) - MAX_LISTED} more | | see the full report |")
    return [*lines, "", "</details>", ""]
