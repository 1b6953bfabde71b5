"""Several results documents -> one behaviour x target table (Markdown and HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from reports.results import BehaviourResult, Results

_ICON = {"pass": "✅", "fail": "❌", "xfail": "⚠️", "error": "💥", "skip": "⏭️", "untested": "❔"}
_COLOUR = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "xfail": "#9a6700",
    "error": "#8250df",
    "skip": "#6e7781",
    "untested": "#57606a",
}
STATEMENT_WIDTH = 90


def column_labels(results_list: Sequence[Results]) -> list[str]:
    """One unique label per document: the target name, numbered when repeated."""
    labels: list[str] = []
    for results in results_list:
        label, n = results.run.target_name, 2
        while label in labels:
            label, n = f"{results.run.target_name} ({n})", n + 1
        labels.append(label)
    return labels


def _rows(results_list: Sequence[Results]) -> list[tuple[BehaviourResult, list[str]]]:
    """Behaviours in first-seen order, with each document's status (``""`` when absent)."""
    first: dict[str, BehaviourResult] = {}
    for results in results_list:
        for behaviour in results.behaviours:
            first.setdefault(behaviour.id, behaviour)
    statuses = [{b.id: b.status for b in r.behaviours} for r in results_list]
    return [(b, [s.get(b.id, "") for s in statuses]) for b in first.values()]


def _verdict(results: Results) -> str:
    if results.harness_failed:
        return "harness error"
    return "conformant" if results.conformant else "not conformant"


def _header_facts(results: Results) -> list[tuple[str, str]]:
    run, must = results.run, results.summary["must"]
    return [
        ("implementation", run.implementation or "?"),
        ("revision", str(run.target.get("revision") or "")),
        ("profiles", ", ".join(results.claimed_profiles)),
        ("verdict", _verdict(results)),
        ("MUST passed", f"{must['passed']}/{must['applicable']} ({must['pass_percent']}%)"),
        ("run", f"{run.started_at} · suite {run.suite_version} · botocore {run.botocore_version}"),
    ]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(text: str) -> str:
    return text if len(text) <= STATEMENT_WIDTH else text[: STATEMENT_WIDTH - 1] + "…"


def render_markdown_matrix(results_list: Sequence[Results]) -> str:
    labels = column_labels(results_list)
    lines = ["# InvokeEndpointAsync compliance matrix", ""]
    lines += [
        "| | " + " | ".join(f"**{_md(label)}**" for label in labels) + " |",
        "|---|" + "---|" * len(labels),
    ]
    facts = [_header_facts(r) for r in results_list]
    for i, (name, _) in enumerate(facts[0] if facts else []):
        lines.append(f"| {name} | " + " | ".join(_md(f[i][1]) for f in facts) + " |")
    lines += [
        "",
        "| behaviour | level | profile | statement | "
        + " | ".join(_md(label) for label in labels)
        + " |",
        "|---|---|---|---|" + ":-:|" * len(labels),
    ]
    for behaviour, statuses in _rows(results_list):
        cells = " | ".join(f"{_ICON[s]} {s}" if s else "—" for s in statuses)
        lines.append(
            f"| `{behaviour.id}` | {behaviour.level} | {behaviour.profile} | "
            f"{_md(_short(behaviour.statement))} | {cells} |"
        )
    legend = " · ".join(f"{icon} {status}" for status, icon in _ICON.items())
    lines += [
        "",
        f"Legend: {legend} · — not in that run. "
        "skip: the target does not claim the profile or revision (or the test skipped).",
        "",
    ]
    return "\n".join(lines)


def render_html_matrix(results_list: Sequence[Results]) -> str:
    labels = column_labels(results_list)
    facts = [_header_facts(r) for r in results_list]
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    fact_rows = "".join(
        f"<tr class=fact><th colspan=2>{escape(name)}</th>"
        + "".join(f"<td>{escape(f[i][1])}</td>" for f in facts)
        + "</tr>"
        for i, (name, _) in enumerate(facts[0] if facts else [])
    )
    body = []
    for behaviour, statuses in _rows(results_list):
        cells = "".join(
            f'<td class="st" data-status="{s}" style="color:{_COLOUR[s]}">{_ICON[s]} {s}</td>'
            if s
            else '<td class="st" data-status="">—</td>'
            for s in statuses
        )
        body.append(
            f'<tr data-id="{escape(behaviour.id)}"><th><code>{escape(behaviour.id)}</code><br>'
            f"<small>{escape(behaviour.level)} · {escape(behaviour.profile)}</small></th>"
            f"<td class=statement>{escape(behaviour.statement)}</td>{cells}</tr>"
        )
    style = (
        "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}"
        "table{border-collapse:collapse}th,td{border-bottom:1px solid #d1d9e0;padding:4px 8px;"
        "text-align:left;vertical-align:top}thead th{background:#f6f8fa;position:sticky;top:0}"
        "tr.fact td,tr.fact th{background:#f6f8fa;font-size:12px}td.st{white-space:nowrap;"
        "font-weight:600}td.statement{max-width:520px}code{font-size:12px}"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>InvokeEndpointAsync compliance matrix</title><style>{style}</style></head><body>"
        "<h1>InvokeEndpointAsync compliance matrix</h1>"
        f'<table id="matrix"><thead><tr><th>behaviour</th><th>statement</th>{head}</tr>'
        f"</thead><tbody>{fact_rows}"
        + f"</tbody><tbody>{''.join(body)}</tbody></table></body></html>\n"
    )


def render_matrix(results_list: Sequence[Results]) -> tuple[str, str]:
    """``(markdown, html)`` for the behaviour x target matrix of ``results_list``."""
    if not results_list:
        raise ValueError("results_list is empty: the matrix needs at least one results document")
    return render_markdown_matrix(results_list), render_html_matrix(results_list)
