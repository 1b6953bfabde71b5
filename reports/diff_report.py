"""The diff document and its renderings: JSON, Markdown, JUnit XML, HTML.

Every renderer reads only the document (``to_document``), never the live run.
Disagreements are grouped by behaviour; each carries the request, both answers
and, when it came from a generated input, the generated example.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

FORMAT = "sagemaker-async-conformance/diff"
VERSION = 1


def to_document(
    *,
    a: dict[str, Any],
    b: dict[str, Any],
    requests: int,
    disagreements: Sequence[Any],
    corpus: dict[str, Any],
    statements: dict[str, str],
    replay: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The diff document; ``replay`` lists the replayed requests that were not sent
    exactly as recorded (``{"request", "replayed": "with stand-ins"|"skipped", "why"}``)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in disagreements:
        groups.setdefault(d.behaviour, []).append(
            {
                "request": d.request,
                "aspect": d.aspect,
                "a": d.a,
                "b": d.b,
                "evidence": d.evidence,
                "example": d.example,
                "minimised": getattr(d, "minimised", None),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "a": a,
        "b": b,
        "corpus": corpus,
        "requests": requests,
        "disagreements": sum(len(v) for v in groups.values()),
        "behaviours": [
            {
                "id": behaviour,
                "statement": statements.get(behaviour, ""),
                "count": len(items),
                "requests": sorted({i["request"] for i in items}),
                "disagreements": items,
            }
            for behaviour, items in sorted(groups.items())
        ],
        **({"replay": list(replay)} if replay is not None else {}),
    }


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown(document: dict[str, Any]) -> str:
    a, b = document["a"].get("name", "A"), document["b"].get("name", "B")
    lines = [
        f"# Diff: {a} vs {b}",
        "",
        f"{document['requests']} requests, {document['disagreements']} disagreements "
        f"in {len(document['behaviours'])} behaviours (corpus: {_short(document['corpus'])}).",
        "",
    ]
    lines += _replay_lines(document)
    if not document["behaviours"]:
        return "\n".join([*lines, "No disagreements.", ""])
    lines += ["| behaviour | count | requests | first disagreement |", "|---|--:|---|---|"]
    for group in document["behaviours"]:
        first = group["disagreements"][0]
        where = ", ".join(group["requests"][:4]) + (" …" if len(group["requests"]) > 4 else "")
        lines.append(
            f"| `{group['id']}` | {group['count']} | {where} | {first['aspect']}: "
            f"{_short(first['a'], 60)} vs {_short(first['b'], 60)} |".replace("\n", " ")
        )
    return "\n".join([*lines, *_minimised_lines(document), ""])


def _minimised_lines(document: dict[str, Any]) -> list[str]:
    """Generated disagreements: the drawn request beside Hypothesis' minimal one."""
    seen: set[tuple[str, str]] = set()
    lines: list[str] = []
    for group in document["behaviours"]:
        for d in group["disagreements"]:
            found = d.get("minimised")
            if not found or (d["request"], found["aspect"]) in seen:
                continue
            seen.add((d["request"], found["aspect"]))
            how = found.get("note") or f"{found['trials']} trials"
            lines += [
                f"- `{group['id']}` {d['request']} ({found['aspect']}; {d.get('example')}; {how})",
                f"  - original: `{_short(found['original'], 400)}`",
                f"  - minimal:  `{_short(found['minimal'], 400)}`",
            ]
    if not lines:
        return []
    return ["", "Minimised (Hypothesis shrank each generated request, keeping the "
            "disagreement):", "", *lines]


def _replay_lines(document: dict[str, Any]) -> list[str]:
    notes = document.get("replay")
    if notes is None:
        return []
    skipped = [n for n in notes if n["replayed"] == "skipped"]
    lines = [
        f"Replay: {document['requests'] - len(notes)} requests sent as recorded, "
        f"{len(notes) - len(skipped)} with stand-ins, {len(skipped)} skipped "
        "(not compared).",
        "",
    ]
    for note in skipped[:20]:
        lines.append(f"- skipped {note['request']}: {'; '.join(note['why'])}")
    if len(skipped) > 20:
        lines.append(f"- … {len(skipped) - 20} more in diff.json")
    return [*lines, ""] if skipped else lines


def junit(document: dict[str, Any]) -> str:
    suite = ET.Element(
        "testsuite",
        name="conformance-diff",
        tests=str(len(document["behaviours"]) or 1),
        failures=str(len(document["behaviours"])),
    )
    if not document["behaviours"]:
        ET.SubElement(suite, "testcase", classname="diff", name="no disagreements")
    for group in document["behaviours"]:
        case = ET.SubElement(suite, "testcase", classname="diff", name=group["id"])
        failure = ET.SubElement(
            case, "failure", message=f"{group['count']} disagreements: {group['statement']}"
        )
        failure.text = "\n".join(
            f"{d['request']} {d['aspect']}: {_short(d['a'], 400)} vs {_short(d['b'], 400)}"
            + (f" (example: {d['example']})" if d.get("example") else "")
            + (
                f" (minimal: {_short(d['minimised']['minimal'], 400)})"
                if d.get("minimised")
                else ""
            )
            for d in group["disagreements"]
        )
    return ET.tostring(suite, encoding="unicode")


def render_html(document: dict[str, Any]) -> str:
    e = html.escape
    a, b = document["a"].get("name", "A"), document["b"].get("name", "B")
    rows = []
    for group in document["behaviours"]:
        for d in group["disagreements"]:
            rows.append(
                "<tr>"
                f"<td><code>{e(group['id'])}</code></td><td>{e(d['request'])}</td>"
                f"<td>{e(d['aspect'])}</td><td><pre>{e(_short(d['a'], 2000))}</pre></td>"
                f"<td><pre>{e(_short(d['b'], 2000))}</pre></td>"
                f"<td><details><summary>request and answers</summary><pre>"
                f"{e(json.dumps(d['evidence'], indent=1, default=str)[:20000])}</pre>"
                f"</details>{e(d.get('example') or '')}{_minimal_html(d)}</td></tr>"
            )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>diff {e(a)} vs {e(b)}</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top}pre{white-space:pre-wrap;max-width:40em}</style></head><body>"
        f"<h1>{e(a)} vs {e(b)}</h1><p>{document['requests']} requests, "
        f"{document['disagreements']} disagreements in {len(document['behaviours'])} "
        "behaviours.</p><table><tr><th>behaviour</th><th>request</th><th>aspect</th>"
        f"<th>{e(a)}</th><th>{e(b)}</th><th>evidence</th></tr>{''.join(rows)}</table>"
        "</body></html>"
    )


def _minimal_html(d: dict[str, Any]) -> str:
    found = d.get("minimised")
    if not found:
        return ""
    e = html.escape
    return (
        f"<p>original: <code>{e(_short(found['original'], 2000))}</code><br>"
        f"minimal: <code>{e(_short(found['minimal'], 2000))}</code></p>"
    )


def write_diff_artefacts(document: dict[str, Any], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": folder / "diff.json",
        "markdown": folder / "diff.md",
        "junit": folder / "diff-junit.xml",
        "html": folder / "diff.html",
    }
    paths["json"].write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    paths["markdown"].write_text(markdown(document), encoding="utf-8")
    paths["junit"].write_text(junit(document), encoding="utf-8")
    paths["html"].write_text(render_html(document), encoding="utf-8")
    return paths
