"""Evidence as plain text: shared by the JUnit, Markdown and HTML renderers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from reports.abbreviate import abbreviate_text
from reports.records import TestRecord

SECTION_LIMIT = 16_384


def header_items(headers: Any) -> list[tuple[str, str]]:
    """A headers dict or ``[name, value]`` list as pairs."""
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    if isinstance(headers, list | tuple):
        return [
            (str(p[0]), str(p[1])) for p in headers if isinstance(p, list | tuple) and len(p) == 2
        ]
    return []


def format_request(request: Mapping[str, Any]) -> str:
    lines = [f"{request.get('method', '')} {request.get('url', '')}".strip()]
    lines += [f"{name}: {value}" for name, value in header_items(request.get("headers"))]
    body, length = request.get("body_preview"), request.get("body_length")
    if body or length:
        lines += ["", f"{body or ''}" + (f"  [{length} bytes]" if length is not None else "")]
    return "\n".join(lines)


def format_response(response: Mapping[str, Any]) -> str:
    status = response.get("status")
    lines = [f"HTTP {status}" if status is not None else "(no response)"]
    lines += [f"{name}: {value}" for name, value in header_items(response.get("headers"))]
    if response.get("body_preview"):
        lines += ["", str(response["body_preview"])]
    return "\n".join(lines)


def format_observation(observation: Mapping[str, Any]) -> str:
    rest = {k: v for k, v in observation.items() if k != "kind"}
    if set(rest) == {"text"}:
        return f"{observation.get('kind', 'note')}: {rest['text']}"
    return f"{observation.get('kind', 'observation')}: " + json.dumps(
        rest, indent=2, ensure_ascii=False, sort_keys=True, default=str
    )


def evidence_sections(test: TestRecord) -> list[tuple[str, str]]:
    """``(title, text)`` pairs in reading order: message, wire, example, reproduction."""
    sections: list[tuple[str, str]] = []
    if test.message:
        sections.append(("Message", test.message))
    if test.reason:
        sections.append(("Reason", test.reason + (f" ({test.link})" if test.link else "")))
    evidence = test.evidence or {}
    for key, title in (("expected", "Expected"), ("observed", "Observed")):
        if evidence.get(key):
            sections.append((title, str(evidence[key])))
    if isinstance(evidence.get("request"), Mapping):
        sections.append(("Request", format_request(evidence["request"])))
    if isinstance(evidence.get("response"), Mapping):
        sections.append(("Response", format_response(evidence["response"])))
    for observation in evidence.get("observations") or ():
        if isinstance(observation, Mapping):
            sections.append(("Observation", format_observation(observation)))
    if test.example:
        sections.append(("Minimal failing example (Hypothesis)", test.example))
    reproduction = evidence.get("reproduction") or {}
    for key, title in (("boto3", "Reproduce with boto3"), ("curl", "Reproduce with curl")):
        if isinstance(reproduction, Mapping) and reproduction.get(key):
            sections.append((title, str(reproduction[key])))
    extra = {k: v for k, v in evidence.items() if k not in _KNOWN}
    if extra:
        sections.append(("Other evidence", json.dumps(extra, indent=2, default=str)))
    # A document not written by this suite may still hold megabytes or raw bytes.
    return [(title, abbreviate_text(text, limit=SECTION_LIMIT)) for title, text in sections]


_KNOWN = frozenset({"expected", "observed", "request", "response", "observations", "reproduction"})


def test_text(test: TestRecord) -> str:
    """One test's outcome and evidence as indented plain text."""
    head = f"{test.nodeid} — {test.outcome} in {test.duration:.2f} s"
    body = [f"{title}:\n" + _indent(text) for title, text in evidence_sections(test)]
    return "\n".join([head, *body])


def tests_text(tests: Iterable[TestRecord]) -> str:
    return "\n\n".join(test_text(t) for t in tests)


def first_line(text: str, limit: int = 160) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) or "    "


test_text.__test__ = False  # type: ignore[attr-defined]
tests_text.__test__ = False  # type: ignore[attr-defined]
