"""The HTML report in a real headless chromium: counts and filters as rendered.

Needs Debian's chromium (``scripts/install-system-deps``); it fails, not skips,
without it, so that a CI image missing it is noticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_reports_render import parse_page
from test_reports_support import load_sample

from reports.render import write_artefacts
from reports.results import Results

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail("chromium is not installed: run scripts/install-system-deps", pytrace=False)
    return path


def dump_dom(url: str, profile: Path) -> str:
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Results, Path, Path]:
    results = Results.from_dict(load_sample("results-mixed.json"))
    directory = tmp_path_factory.mktemp("report")
    return results, write_artefacts(results, directory)["html"], tmp_path_factory.mktemp("chrome")


def test_rendered_counts_equal_the_documents_and_a_hash_filter_applies_on_load(page):
    results, html, profile = page
    facts = parse_page(dump_dom(html.as_uri() + "#status=fail", profile))
    assert facts.counts == {
        **{s: str(n) for s, n in results.summary["counts"].items()},
        "total": str(len(results.behaviours)),
    }
    visible = [r for r in facts.rows if "hidden" not in r]
    assert visible, "the filter hid every row"
    assert {r["data-status"] for r in visible} == {"fail"}
    assert len(visible) == results.summary["counts"]["fail"] == int(facts.shown)
    assert all(r["data-status"] != "fail" for r in facts.rows if "hidden" in r)


def test_status_and_area_filters_combine(page):
    results, html, profile = page
    facts = parse_page(dump_dom(html.as_uri() + "#status=pass,skip&area=VAL", profile))
    visible = {r["id"] for r in facts.rows if "hidden" not in r}
    assert visible == {
        b.id for b in results.behaviours if b.area == "VAL" and b.status in {"pass", "skip"}
    }
