"""One self-contained HTML report: verdict first, counts, profiles, filterable behaviours.

No external assets: the CSS and the filter script (``reports/templates/``) are
inlined. The page works without JavaScript (everything is rendered server-side);
the script only adds filters, driven by the URL hash (``#status=fail&area=VAL``).
"""

from __future__ import annotations

from html import escape
from importlib import resources

from reports.records import TestRecord
from reports.render import load_figures
from reports.render.evidence import evidence_sections
from reports.results import BehaviourResult, Results
from reports.status import DISPLAY_ORDER
from reports.summary import LEVELS


def _asset(name: str) -> str:
    return resources.files("reports").joinpath("templates", name).read_text(encoding="utf-8")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def render_html(results: Results) -> str:
    """The report page for ``results``."""
    title = f"{_verdict_word(results)} — {results.run.target_name}"
    script = _asset("report.js").replace("</", "<\\/")
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Conformance: {_e(title)}</title>",
            f"<style>{_asset('report.css')}</style></head>",
            "<body><main>",
            _verdict(results),
            _counts(results),
            load_figures.html_section(results),
            _profiles(results),
            _behaviours(results),
            _unmapped(results),
            _footer(results),
            f"</main><script>{script}</script></body></html>",
        ]
    )


def _verdict_word(results: Results) -> str:
    if results.harness_failed:
        return "Harness error"
    word = "Conformant" if results.conformant else "Not conformant"
    return f"{word} (partial run)" if results.partial else word


def _verdict(results: Results) -> str:
    summary, run = results.summary, results.run
    must = summary["must"]
    css = "harness" if results.harness_failed else ("ok" if results.conformant else "no")
    target = run.target
    implementation = f" ({_e(run.implementation)})" if run.implementation else ""
    reasons = "".join(f"<li>{_e(r)}</li>" for r in summary["reasons"])
    rows = [
        ("Target", f"{_e(run.target_name)}{implementation}"),
        ("Endpoint", _e(target.get("endpoint_name") or "")),
        ("Region", _e(target.get("region") or "")),
        ("Revision claimed", _e(target.get("revision") or "")),
        ("Profiles claimed", _e(", ".join(results.claimed_profiles))),
        ("Endpoints", _e(", ".join(f"{k}={v}" for k, v in (target.get("urls") or {}).items()))),
        ("Started", _e(run.started_at)),
        ("Duration", f"{run.duration:.1f} s"),
        ("Hypothesis seed", f"<code>{_e(run.seed)}</code>"),
        ("Depth", _e(run.depth)),
        (
            "Suite / spec / botocore",
            _e(f"{run.suite_version} / {run.spec_revision} / {run.botocore_version}"),
        ),
        ("Reproduce", f"<code>{_e(run.command)}</code>"),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v)
    return (
        f'<header class="verdict {css}" id="verdict" '
        f'data-conformant="{str(results.conformant).lower()}">'
        f"<h1>{_e(_verdict_word(results))}</h1>"
        f'<p class="score"><strong id="must-passed">{must["passed"]}</strong> of '
        f'<strong id="must-applicable">{must["applicable"]}</strong> claimed MUST behaviours '
        f'passed (<span id="must-percent">{must["pass_percent"]}</span>%)'
        + (f", {must['xfail']} expected failures" if must["xfail"] else "")
        + "</p>"
        + (f'<p class="partial" id="partial">{_e(results.scope_note)}</p>' * results.partial)
        + f"{f'<ul class=reasons>{reasons}</ul>' if reasons else ''}</header>"
        f'<dl class="run">{dl}</dl>'
    )


def _counts(results: Results) -> str:
    counts = results.summary["counts"]
    buttons = "".join(
        f'<button type="button" class="count s-{s}" data-filter-status="{s}" aria-pressed="false"'
        f' title="show only {s}"><span class="n" data-count="{s}">{counts[s]}</span>{s}</button>'
        for s in DISPLAY_ORDER
    )
    total = (
        f'<div class="count total"><span class="n" data-count="total">{len(results.behaviours)}'
        "</span>behaviours</div>"
    )
    return f'<section class="counts" aria-label="Behaviours per status">{total}{buttons}</section>'


def _profiles(results: Results) -> str:
    head = "".join(f'<th class="num">{s}</th>' for s in DISPLAY_ORDER)
    rows = []
    for profile, data in results.summary["by_profile"].items():
        cells = "".join(f'<td class="num">{data["counts"][s]}</td>' for s in DISPLAY_ORDER)
        must = data["must"]
        score = f"{must['passed']}/{must['applicable']}" if data["claimed"] else "not claimed"
        rows.append(
            f'<tr class="{"claimed" if data["claimed"] else "unclaimed"}" '
            f'data-profile="{_e(profile)}">'
            f"<td>{_e(profile)}</td><td class=num>{score}</td>{cells}</tr>"
        )
    levels = []
    for level in LEVELS:
        counts = results.summary["by_level"][level]
        cells = "".join(f'<td class="num">{counts[s]}</td>' for s in DISPLAY_ORDER)
        levels.append(f"<tr><td>{level}</td><td></td>{cells}</tr>")
    return (
        "<h2>Per profile and level</h2><table class=profiles><thead><tr><th>profile</th>"
        f'<th class="num">MUST passed</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        '<tbody class="levels"><tr><th colspan="8">per level</th></tr>'
        f"{''.join(levels)}</tbody></table>"
    )


def _behaviours(results: Results) -> str:
    areas = sorted({b.area for b in results.behaviours})
    area_options = "".join(f'<option value="{_e(a)}">{_e(a)}</option>' for a in areas)
    level_options = "".join(f'<option value="{lv}">{lv}</option>' for lv in LEVELS)
    filters = (
        '<div class="filters">'
        '<label>Area <select id="filter-area"><option value="">all</option>'
        f"{area_options}</select></label>"
        '<label>Level <select id="filter-level"><option value="">all</option>'
        f"{level_options}</select></label>"
        '<input type="search" id="filter-q" placeholder="search IDs, statements, evidence">'
        '<button type="button" id="filter-reset">reset filters</button>'
        '<button type="button" id="expand-failures">expand shown failures</button>'
        f'<span class="shown">showing <span id="shown-count">{len(results.behaviours)}</span> of '
        f'<span id="total-count">{len(results.behaviours)}</span></span></div>'
    )
    body = "".join(_behaviour(b) for b in results.behaviours)
    return (
        f"<h2>Behaviours</h2>{filters}"
        '<table id="behaviours"><thead><tr><th>status</th><th>behaviour</th><th>level</th>'
        '<th>profile</th><th>statement and evidence</th><th class="num">tests</th>'
        f'<th class="num">time</th></tr></thead>{body}</table>'
    )


def _behaviour(b: BehaviourResult) -> str:
    reason = f'<div class="reason">{_e(b.reason)}</div>' if b.reason else ""
    statement = _e(b.statement)
    if b.tests:
        tests = "".join(_test(t) for t in b.tests)
        source = f'<div class="reason">source: {_e(b.source)}</div>' if b.source else ""
        cell = f"<details><summary>{statement}</summary>{source}{tests}</details>{reason}"
    else:
        cell = f"{statement}{reason}"
    return (
        f'<tbody class="behaviour" id="{_e(b.id)}" data-status="{b.status}" '
        f'data-area="{_e(b.area)}" data-level="{_e(b.level)}" data-profile="{_e(b.profile)}">'
        f'<tr class="{"claimed" if b.claimed else "unclaimed"}">'
        f'<td><span class="badge s-{b.status}">{b.status}</span></td>'
        f'<td class="id"><code>{_e(b.id)}</code></td><td>{_e(b.level)}</td>'
        f"<td>{_e(b.profile)}<br><small>{_e(b.revision)}</small></td><td>{cell}</td>"
        f'<td class="num">{len(b.tests)}</td><td class="num">{b.duration:.2f}s</td></tr></tbody>'
    )


def _test(t: TestRecord) -> str:
    parts = [
        f'<div class="test o-{t.outcome}"><h4><code>{_e(t.nodeid)}</code> — {t.outcome}, '
        f"{t.duration:.2f} s</h4>"
    ]
    for title, text in evidence_sections(t):
        parts.append(f"<h5>{_e(title)}</h5><pre>{_e(text)}</pre>")
    if t.link:
        parts.append(f'<a href="{_e(t.link)}" rel="noreferrer">{_e(t.link)}</a>')
    parts.append("</div>")
    return "".join(parts)


def _unmapped(results: Results) -> str:
    if not results.unmapped_tests:
        return ""
    items = "".join(
        f'<li class="o-{t.outcome}"><code>{_e(t.nodeid)}</code> — {t.outcome}'
        f"{' (names ' + _e(', '.join(t.behaviours)) + ')' if t.behaviours else ''}</li>"
        for t in results.unmapped_tests
    )
    return (
        f"<h2>Tests naming no catalogue behaviour ({len(results.unmapped_tests)})</h2>"
        f'<ul id="unmapped">{items}</ul>'
    )


def _footer(results: Results) -> str:
    return (
        "<footer>Generated by sagemaker-async-conformance "
        f"{_e(results.run.suite_version)} from results.json (schema version 1). "
        "Statuses: pass, fail (the target broke the behaviour), xfail (expected failure listed "
        "for the target), error (the harness could not judge), skip (not claimed by the target, "
        "or skipped by its test), untested (claimed, but no test judged it).</footer>"
    )
