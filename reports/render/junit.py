"""JUnit XML: one test suite per profile, one test case per behaviour, evidence in the text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from reports.render.evidence import first_line, tests_text
from reports.results import BehaviourResult, Results

# Characters XML 1.0 cannot carry, even escaped.
_INVALID_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def render_junit(results: Results) -> str:
    """The JUnit XML document (a ``<testsuites>`` root) for ``results``."""
    counts = results.summary["counts"]
    root = ET.Element(
        "testsuites",
        {
            "name": f"conformance: {_clean(results.run.target_name)}",
            "tests": str(len(results.behaviours)),
            "failures": str(counts["fail"]),
            "errors": str(counts["error"]),
            "skipped": str(counts["skip"] + counts["xfail"] + counts["untested"]),
            "time": f"{results.run.duration:.3f}",
        },
    )
    by_profile: dict[str, list[BehaviourResult]] = {}
    for behaviour in results.behaviours:
        by_profile.setdefault(behaviour.profile, []).append(behaviour)
    for profile, behaviours in by_profile.items():
        _suite(root, results, profile, behaviours)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(
    root: ET.Element, results: Results, profile: str, behaviours: list[BehaviourResult]
) -> None:
    statuses = [b.status for b in behaviours]
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": profile,
            "tests": str(len(behaviours)),
            "failures": str(statuses.count("fail")),
            "errors": str(statuses.count("error")),
            "skipped": str(sum(s in {"skip", "xfail", "untested"} for s in statuses)),
            "time": f"{sum(b.duration for b in behaviours):.3f}",
            "timestamp": results.run.started_at,
        },
    )
    properties = ET.SubElement(suite, "properties")
    run = results.run
    for name, value in (
        ("target", run.target_name),
        ("implementation", run.implementation),
        ("revision", str(run.target.get("revision") or "")),
        ("claimed", str(profile in results.claimed_profiles).lower()),
        ("seed", run.seed),
        ("command", run.command),
        ("partial", results.scope_note),
    ):
        if name == "partial" and not value:
            continue
        ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
    for behaviour in behaviours:
        _case(suite, behaviour)


def _case(suite: ET.Element, b: BehaviourResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"conformance.{b.profile}.{b.area}",
            "name": _clean(f"{b.id} ({b.level}): {b.statement}"),
            "time": f"{b.duration:.3f}",
        },
    )
    if b.status in {"fail", "error"}:
        failing = b.failing_tests
        message = first_line(failing[0].message) if failing and failing[0].message else b.reason
        tag = "failure" if b.status == "fail" else "error"
        element = ET.SubElement(
            case,
            tag,
            {
                "message": _clean(message or f"{b.id} {b.status}"),
                "type": b.status,
            },
        )
        element.text = _clean(tests_text(failing))
    elif b.status in {"skip", "xfail", "untested"}:
        prefix = "" if b.status == "skip" else f"{b.status}: "
        ET.SubElement(case, "skipped", {"message": _clean(prefix + (b.reason or b.status))})
    if b.tests:
        ET.SubElement(case, "system-out").text = _clean(
            "\n".join(f"{t.nodeid}: {t.outcome} ({t.duration:.2f} s)" for t in b.tests)
        )
