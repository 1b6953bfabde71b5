"""The whole suite against the embedded reference: every check passes, no MUST of a
claimed profile is skipped, and `conformance run` writes every artefact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reports.schema import validate_results
from spec.catalogue import OPT_IN_PROFILES, load_catalogue


def test_conformance_run_against_the_embedded_reference_is_conformant(tmp_path: Path) -> None:
    report = tmp_path / "report"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONFORMANCE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--report-dir", str(report),
         "--depth", "quick", "-p", "no:randomly"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "CONFORMANT" in output and "NOT CONFORMANT" not in output, output[-2000:]
    for name in ("results.json", "junit.xml", "report.html", "summary.md", "badge.json"):
        assert (report / name).stat().st_size > 0, name

    document = json.loads((report / "results.json").read_text(encoding="utf-8"))
    validate_results(document)
    assert document["conformant"] is True
    statuses = {b["id"]: b for b in document["behaviours"]}
    # The opt-in clients profile is not claimed by default: its behaviours are skipped.
    musts = [b.id for b in load_catalogue().musts() if b.profile not in OPT_IN_PROFILES]
    opt_in = [b.id for b in load_catalogue() if b.profile in OPT_IN_PROFILES]
    assert {statuses[i]["status"] for i in opt_in} == {"skip"}
    not_passed = {i: statuses[i]["status"] for i in musts if statuses[i]["status"] != "pass"}
    assert not not_passed, f"MUST behaviours not passed on the reference: {not_passed}"
    failed_tests = [
        (t["nodeid"], t["outcome"])
        for b in document["behaviours"]
        for t in b["tests"]
        if t["outcome"] in {"failed", "error", "xpassed"}
    ]
    assert not failed_tests
    # The target is described, credentials never.
    target = document["run"]["target"]
    assert target["endpoint_name"] and target["revision"] == "2026"
    assert "secret" not in json.dumps(target).lower()
