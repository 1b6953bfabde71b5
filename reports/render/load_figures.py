"""The figures of a load run (profile ``load``): read back from the results document.

The load checks attach the burst's figures to IEA-LOAD-001's evidence (``load``):
counts, accepted requests per second, 202 and completion latency percentiles, and a
timeline of in-flight requests and completions. This module finds them and renders
them: a table, and a plot drawn with matplotlib as SVG, inlined in the HTML report
(no external asset, no script). Without matplotlib (the ``load`` extra) the table
still renders and the plot says how to get it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from html import escape
from typing import Any

from reports.results import Results

FIGURES_BEHAVIOUR = "IEA-LOAD-001"


def load_figures(results: Results) -> dict[str, Any] | None:
    """The burst's figures, if this run judged the load profile."""
    try:
        behaviour = results.behaviour(FIGURES_BEHAVIOUR)
    except KeyError:
        return None
    for test in behaviour.tests:
        evidence = test.evidence or {}
        candidates = [evidence, *(o for o in evidence.get("observations") or () if
                                  isinstance(o, Mapping))]
        for candidate in candidates:
            figures = candidate.get("load")
            if isinstance(figures, Mapping):
                return dict(figures)
    return None


def summary_rows(figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    def pct(key: str) -> str:
        values = figures.get(key) or {}
        return " / ".join(f"{values[p]:.3f}" for p in ("p50", "p95", "p99") if p in values)

    findings = figures.get("findings") or {}
    outcome = findings.get("IEA-LOAD-001", {})
    reruns = findings.get("IEA-LOAD-003", {})
    repeats = findings.get("IEA-LOAD-008", {})
    peak = findings.get("IEA-LOAD-004", {})
    rows = [
        ("engine", str(figures.get("mode", ""))),
        ("accepted / rejected / unanswered",
         f"{figures.get('accepted')} / {figures.get('rejected')} / {figures.get('unanswered')}"),
        ("outputs / failures / lost",
         f"{outcome.get('outputs')} / {outcome.get('failures')} / {outcome.get('lost')}"),
        ("duplicated runs / re-runs after a fault",
         f"{reruns.get('duplicated')} / {reruns.get('re_run_after_fault')}"),
        ("repeated notifications", str(repeats.get("repeated"))),
        ("peak concurrency / limit", f"{peak.get('peak')} / {peak.get('limit')}"),
        ("accepted requests/s", str(figures.get("accepted_per_s"))),
        ("202 latency p50 / p95 / p99 (s)", pct("latency_202_s")),
        ("completion latency p50 / p95 / p99 (s)", pct("completion_latency_s")),
        ("burst / until every outcome / until quiet (s)",
         f"{figures.get('burst_s')} / {figures.get('all_outcomes_s')} / "
         f"{figures.get('settle_s')}"),
        ("mix", str(figures.get("mix", ""))),
        ("faults", "; ".join(
            f"{f.get('command')} at {f.get('at_s')} s (exit {f.get('returncode')})"
            for f in figures.get("faults") or ()) or "none"),
    ]
    return rows


def plot_svg(figures: Mapping[str, Any]) -> str | None:
    """In-flight requests and completions per second over time, as an SVG document."""
    timeline = figures.get("timeline") or {}
    t = timeline.get("t_s") or []
    if not t:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        return None
    figure = Figure(figsize=(8, 3.2))
    axis = figure.subplots()
    axis.plot(t, timeline.get("in_flight") or [], label="in flight (accepted, no outcome)")
    axis.plot(t, timeline.get("completed_per_s") or [], label="completions per second")
    axis.plot(t, timeline.get("accepted_per_s") or [], label="accepted per second",
              linewidth=0.8)
    for fault in figures.get("faults") or ():
        axis.axvline(float(fault.get("at_s", 0)), color="red", linestyle="--", linewidth=1)
    axis.set_xlabel("seconds since the burst started")
    axis.legend(loc="upper right", fontsize="small")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.find("<svg"):]  # drop the XML prolog and doctype: inline SVG


def html_section(results: Results) -> str:
    figures = load_figures(results)
    if figures is None:
        return ""
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in summary_rows(figures)
    )
    svg = plot_svg(figures)
    plot = (
        f'<figure class="load-plot">{svg}<figcaption>In-flight requests and completions over '
        "time (a red line marks an injected fault)</figcaption></figure>"
        if svg else "<p>(the plot needs matplotlib: pip install "
        "'sagemaker-async-conformance[load]')</p>"
    )
    return (f'<section id="load-figures"><h2>Load figures</h2>'
            f'<table class="load">{rows}</table>{plot}</section>')


def markdown_lines(results: Results) -> list[str]:
    figures = load_figures(results)
    if figures is None:
        return []
    lines = ["| load figure | value |", "|---|---|"]
    lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in summary_rows(figures)]
    return [*lines, ""]
