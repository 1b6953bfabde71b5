"""Mutants of validation: one constraint skipped, or inline Body refused."""

from __future__ import annotations

from typing import Any

from mutants.mutant import Mutant
from mutants.wire import UnknownEndpointIs404
from reference.parts import DEFAULT_VALIDATOR, Rule, RuleValidator
from reference.request import RawRequest
from spec.catalogue import load_catalogue


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



def _skips(behaviour: str, rules: tuple[str, ...]) -> Mutant:
    name = "skips-" + "+".join(rules).replace(".", "-").lower()

    def build() -> dict[str, Any]:
        parts: dict[str, Any] = {"validator": skipping(*rules)}
        if any(rule.startswith("EndpointName.") for rule in rules):
            # Without it the lookup's own "not found" ValidationError keeps the
            # guarantee: skipping the rule alone is an equivalent mutant.
            parts["responder"] = UnknownEndpointIs404()
        return parts

    return Mutant(name, behaviour, build)


# A validator that skips the rules of one behaviour, for each MUST naming constraints in the
# catalogue (the reference's rules are named like the catalogue's constraints: Member.kind).
SKIPPED_RULES: dict[str, tuple[str, ...]] = {
    b.id: b.constraints for b in load_catalogue().musts() if b.constraints
}

MUTANTS: tuple[Mutant, ...] = (
    *(_skips(behaviour, rules) for behaviour, rules in SKIPPED_RULES.items()),
    Mutant("refuses-inline-body", "IEA-BODY-001",
           lambda: {"validator": refusing_inline_body()}),
)
