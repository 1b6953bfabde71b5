"""Every artefact of a run, rendered from the results document alone."""

from __future__ import annotations

import json
from pathlib import Path

from reports.abbreviate import EVIDENCE_DIR, EvidenceStore, abbreviate_document
from reports.render.badge import badge
from reports.render.html import render_html
from reports.render.junit import render_junit
from reports.render.markdown import render_markdown
from reports.results import Results

__all__ = [
    "ARTEFACTS",
    "badge",
    "render_html",
    "render_junit",
    "render_markdown",
    "write_artefacts",
]

# artefact key -> file name in the report directory
ARTEFACTS: dict[str, str] = {
    "json": "results.json",
    "junit": "junit.xml",
    "html": "report.html",
    "markdown": "summary.md",
    "badge": "badge.json",
}


def write_artefacts(results: Results, report_dir: str | Path) -> dict[str, Path]:
    """Write every artefact into ``report_dir`` (created); return their paths by key."""
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    # Every artefact shows large and binary values abbreviated; the full value is a file.
    store = EvidenceStore(directory / EVIDENCE_DIR)
    results = Results.from_dict(abbreviate_document(results.to_dict(), store=store))
    contents = {
        "json": results.to_json(),
        "junit": render_junit(results),
        "html": render_html(results),
        "markdown": render_markdown(results, report_link=ARTEFACTS["html"]),
        "badge": json.dumps(badge(results), indent=2) + "\n",
    }
    paths = {}
    for key, text in contents.items():
        path = directory / ARTEFACTS[key]
        path.write_text(text, encoding="utf-8")
        paths[key] = path
    return paths
