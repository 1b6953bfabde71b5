"""The results document's JSON Schema (``reports/results.schema.json``) and its validator."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema


class InvalidResults(ValueError):
    """A document that is not a results document; the message lists each problem."""


@cache
def results_schema() -> dict[str, Any]:
    text = resources.files("reports").joinpath("results.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validation_errors(document: Any) -> list[str]:
    """Every schema violation in ``document``, as ``path: message``; empty when valid."""
    validator = jsonschema.Draft202012Validator(results_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


def validate_results(document: Any) -> None:
    """Raise ``InvalidResults`` unless ``document`` matches the schema."""
    errors = validation_errors(document)
    if errors:
        shown = "\n  ".join(errors[:10])
        more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise InvalidResults(f"not a valid results document:\n  {shown}{more}")
