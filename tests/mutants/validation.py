"""Mutants of validation: one constraint skipped, or inline Body refused."""

from __future__ import annotations

from reference.parts import DEFAULT_VALIDATOR, Rule, RuleValidator
from reference.request import RawRequest


def skipping(*rules: str) -> RuleValidator:
    """The reference validator without the named rules (`<Member>.<kind>`)."""
    return DEFAULT_VALIDATOR.without(*rules)


def _no_inline_body(request: RawRequest) -> str | None:
    if request.body:
        return "Body is not supported; give InputLocation."
    return None


def refusing_inline_body() -> RuleValidator:
    """IEA-BODY-001: an implementation of a revision before 2026 (InputLocation only)."""
    return RuleValidator((*DEFAULT_VALIDATOR.rules, Rule("Body.unsupported", _no_inline_body)))
