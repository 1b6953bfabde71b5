"""Renderers: JUnit XML, Markdown, badge, HTML (static checks), matrix, write_artefacts."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_reports_support import load_sample, passed, sample_run

from reports.matrix import render_matrix
from reports.records import TestRecord
from reports.render import (
    ARTEFACTS,
    badge,
    render_html,
    render_junit,
    render_markdown,
    write_artefacts,
)
from reports.results import Results, build_results
from spec.catalogue import load_catalogue


@pytest.fixture(scope="module")
def mixed() -> Results:
    return Results.from_dict(load_sample("results-mixed.json"))


@pytest.fixture(scope="module")
def moto() -> Results:
    return Results.from_dict(load_sample("results-moto.json"))


def test_write_artefacts_writes_every_artefact(tmp_path: Path, mixed: Results):
    paths = write_artefacts(mixed, tmp_path / "out")
    assert {k: p.name for k, p in paths.items()} == ARTEFACTS
    assert json.loads(paths["json"].read_text()) == mixed.to_dict()


def test_junit_has_one_case_per_behaviour_with_evidence_in_failures(mixed: Results):
    root = ET.fromstring(render_junit(mixed))
    cases = root.findall(".//testcase")
    counts = mixed.summary["counts"]
    assert len(cases) == len(mixed.behaviours) == int(root.get("tests"))
    assert len(root.findall(".//testcase/failure")) == counts["fail"] == int(root.get("failures"))
    assert len(root.findall(".//testcase/error")) == counts["error"]
    assert len(root.findall(".//testcase/skipped")) == (
        counts["skip"] + counts["xfail"] + counts["untested"]
    )
    wire = next(c for c in cases if c.get("name").startswith("IEA-WIRE-001 "))
    failure = wire.find("failure")
    assert failure.get("message") == "IEA-WIRE-001: a valid request was answered 200, expected 202"
    for part in ("Request:", "Response:", "HTTP 200", "Reproduce with curl:"):
        assert part in failure.text


def test_junit_survives_characters_xml_cannot_carry():
    record = TestRecord(
        "t.py::x",
        ("IEA-WIRE-001",),
        "failed",
        0.1,
        message="bad \x00\x1b[31m bytes",
        example="b'\x07'",
    )
    results = build_results(sample_run(), [record], load_catalogue())
    text = ET.fromstring(render_junit(results)).find(".//failure").text
    # Escaped, so the reader sees which bytes the target sent (issue 14).
    assert "bad \\x00\\x1b[31m bytes" in text


def test_markdown_summary_is_short_and_lists_what_needs_attention(mixed: Results, moto: Results):
    text = render_markdown(mixed)
    assert text.startswith("## ❌ Not conformant: sample (sample 1.0)")
    assert "**42 / 46** claimed MUST behaviours passed" in text
    assert "| 47 | 4 | 1 | 1 | 25 | 2 |" in text
    assert "`IEA-WIRE-001`" in text and "`IEA-AUTH-001`" not in text  # unclaimed: not listed
    assert len(text) < 4000
    long = render_markdown(moto)
    assert "… and 3 more" in long and len(long) < 8000


def test_badge_follows_the_shields_endpoint_schema(mixed: Results):
    reference = Results.from_dict(load_sample("results-reference.json"))
    assert badge(mixed) == {
        "schemaVersion": 1,
        "label": "conformance",
        "message": "91% MUST",
        "color": "yellow",
    }
    assert badge(reference)["message"] == "100% MUST"
    assert badge(reference)["color"] == "brightgreen"


def test_badge_never_rounds_up_to_100():
    catalogue = load_catalogue()
    musts = [b.id for b in catalogue if b.level == "MUST"]
    records = [passed(b.id) for b in catalogue if b.id != musts[0]]
    records.append(TestRecord("t.py::x", (musts[0],), "failed", 0.1))
    run = sample_run(profiles=tuple({b.profile for b in catalogue}), revision="2026", exit_code=1)
    assert badge(build_results(run, records, catalogue))["message"] == "98% MUST"


class _Facts(HTMLParser):
    """Counts and behaviour rows as a page shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, str] = {}
        self.rows: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.shown = ""
        self._count: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-count" in attributes:
            self._count = attributes["data-count"]
        if attributes.get("id") == "shown-count":
            self._count = "shown"
        if tag == "tbody" and "behaviour" in (attributes.get("class") or ""):
            self.rows.append(attributes)
        if tag in {"link", "img", "iframe"} or (tag == "script" and "src" in attributes):
            self.external.append(tag)

    def handle_data(self, data):
        if self._count == "shown":
            self.shown = data
        elif self._count:
            self.counts[self._count] = data
        self._count = None


def parse_page(html: str) -> _Facts:
    facts = _Facts()
    facts.feed(html)
    return facts


def test_html_is_self_contained_and_shows_the_documents_counts(mixed: Results):
    html = render_html(mixed)
    facts = parse_page(html)
    assert facts.external == []
    assert not re.search(r"url\(|@import|https?://(?!example\.invalid)", html.split("</style>")[0])
    expected = {s: str(n) for s, n in mixed.summary["counts"].items()}
    assert facts.counts == {**expected, "total": str(len(mixed.behaviours))}
    assert [r["id"] for r in facts.rows] == [b.id for b in mixed.behaviours]
    assert html.index('id="verdict"') < html.index('class="counts"') < html.index('id="behaviours"')


def test_html_escapes_what_it_shows():
    record = TestRecord(
        "t.py::x",
        ("IEA-WIRE-001",),
        "failed",
        0.1,
        message="<script>alert(1)</script>",
        evidence={"observed": "</pre><b>"},
    )
    html = render_html(build_results(sample_run(), [record], load_catalogue()))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "</pre><b>" not in html


def test_matrix_has_a_column_per_target_with_versions(mixed: Results, moto: Results):
    reference = Results.from_dict(load_sample("results-reference.json"))
    markdown, html = render_matrix([reference, moto, mixed, mixed])
    header = next(line for line in markdown.splitlines() if line.startswith("| behaviour"))
    assert header.endswith("| reference | moto | sample | sample (2) |")
    assert "| implementation | reference 0.1.0 | moto 5.2.1 | sample 1.0 | sample 1.0 |" in markdown
    wire = next(line for line in markdown.splitlines() if line.startswith("| `IEA-WIRE-001`"))
    assert wire.endswith("| ✅ pass | ❌ fail | ❌ fail | ❌ fail |")
    assert html.count('<tr data-id="') == len(reference.behaviours)
    assert "moto 5.2.1" in html
    with pytest.raises(ValueError, match="empty"):
        render_matrix([])
