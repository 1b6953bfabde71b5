"""A shields.io endpoint badge: ``{"schemaVersion": 1, "label": "conformance", ...}``."""

from __future__ import annotations

import math
from typing import Any

from reports.results import Results


def badge(results: Results) -> dict[str, Any]:
    """Share of claimed MUSTs passed, e.g. ``97% MUST``; green only when conformant (a
    partial run: ``partial: 100% of 12 MUST judged``, blue when that part held)."""
    must = results.summary["must"]
    if results.harness_failed:
        message, color = "harness error", "lightgrey"
    elif not must["applicable"]:
        message, color = "no MUST judged", "lightgrey"
    else:
        percent = math.floor(must["pass_percent"])
        message = f"{percent}% MUST"
        if results.partial:
            # Never the whole claim's green: say it is a part, and how large.
            message = f"partial: {percent}% of {must['applicable']} MUST judged"
        if results.conformant:
            color = "blue" if results.partial else "brightgreen"
        elif percent >= 90:
            color = "yellow"
        elif percent >= 50:
            color = "orange"
        else:
            color = "red"
    return {"schemaVersion": 1, "label": "conformance", "message": message, "color": color}
