"""Validation part: an ordered collection of named rules, one per model constraint.

Rule names are `<Member>.<kind>` with the kinds strategies/ labels its invalid
requests with (`max_length`, `min_length`, `pattern`, `minimum`, `maximum`,
`type`, `missing_required`, `exclusive`), so a mutant that skips exactly one
check is `DEFAULT_VALIDATOR.without("InferenceId.max_length")`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from reference.members import Member, input_members
from reference.request import RawRequest

Check = Callable[[RawRequest], str | None]  # a violation message, or None


class Validator(Protocol):
    def validate(self, request: RawRequest) -> list[str]:
        """Every violation message; empty when the request is valid."""
        ...


@dataclass(frozen=True)
class Rule:
    name: str
    check: Check


@dataclass(frozen=True)
class RuleValidator:
    rules: tuple[Rule, ...]

    def validate(self, request: RawRequest) -> list[str]:
        return [message for rule in self.rules if (message := rule.check(request))]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)

    def without(self, *names: str) -> RuleValidator:
        unknown = set(names) - set(self.names)
        if unknown:
            raise ValueError(f"names={sorted(unknown)}: no such rule; known: {self.names}")
        return RuleValidator(tuple(r for r in self.rules if r.name not in names))


def _field(member: Member) -> str:
    # AWS names members in lowerCamelCase in validation messages.
    return member.name[0].lower() + member.name[1:]


def _describe(member: Member, value: str) -> str:
    # Sensitive members (CustomAttributes) are never echoed back.
    if member.sensitive:
        return f"Value at '{_field(member)}'"
    shown = value if len(value) <= 80 else value[:77] + "..."
    return f"Value {shown!r} at '{_field(member)}'"


def _failed(member: Member, value: str, constraint: str) -> str:
    return f"{_describe(member, value)} failed to satisfy constraint: {constraint}"


def _string_rules(member: Member) -> Iterable[Rule]:
    def value_of(request: RawRequest) -> str | None:
        return request.values.get(member.name)

    if member.max is not None:
        limit = member.max

        def max_length(request: RawRequest) -> str | None:
            value = value_of(request)
            if value is not None and len(value) > limit:
                return _failed(
                    member, value, f"Member must have length less than or equal to {limit}"
                )
            return None

        yield Rule(f"{member.name}.max_length", max_length)
    if member.min:
        floor = member.min

        def min_length(request: RawRequest) -> str | None:
            value = value_of(request)
            if value is not None and len(value) < floor:
                return _failed(
                    member, value, f"Member must have length greater than or equal to {floor}"
                )
            return None

        yield Rule(f"{member.name}.min_length", min_length)
    if member.pattern is not None:

        def pattern(request: RawRequest) -> str | None:
            value = value_of(request)
            # An empty value of a member with a minimum length is judged by
            # min_length alone, as AWS reports it; otherwise the pattern decides.
            if value is not None and (value or not member.min) and not member.matches(value):
                return _failed(
                    member,
                    value,
                    f"Member must satisfy regular expression pattern: {member.pattern.pattern}",  # type: ignore[union-attr]
                )
            return None

        yield Rule(f"{member.name}.pattern", pattern)


def _parse_int(value: str) -> int | None:
    text = value.strip()
    if not text or not (text.isdigit() or (text[0] in "+-" and text[1:].isdigit())):
        return None
    return int(text)


def _integer_rules(member: Member) -> Iterable[Rule]:
    def type_rule(request: RawRequest) -> str | None:
        value = request.values.get(member.name)
        if value is not None and _parse_int(value) is None:
            return _failed(member, value, "Member must be an integer")
        return None

    yield Rule(f"{member.name}.type", type_rule)
    if member.min is not None:
        low = member.min

        def minimum(request: RawRequest) -> str | None:
            value = request.values.get(member.name)
            number = None if value is None else _parse_int(value)
            if number is not None and number < low:
                return _failed(
                    member, value or "", f"Member must have value greater than or equal to {low}"
                )
            return None

        yield Rule(f"{member.name}.minimum", minimum)
    if member.max is not None:
        high = member.max

        def maximum(request: RawRequest) -> str | None:
            value = request.values.get(member.name)
            number = None if value is None else _parse_int(value)
            if number is not None and number > high:
                return _failed(
                    member, value or "", f"Member must have value less than or equal to {high}"
                )
            return None

        yield Rule(f"{member.name}.maximum", maximum)


def _body_rules(member: Member) -> Iterable[Rule]:
    limit = member.max

    def max_length(request: RawRequest) -> str | None:
        if limit is not None and len(request.body) > limit:
            return (
                f"Value at 'body' failed to satisfy constraint: Member must have length "
                f"less than or equal to {limit}"
            )
        return None

    def exclusive(request: RawRequest) -> str | None:
        if request.body and "InputLocation" in request.values:
            return "Exactly one of Body and InputLocation must be provided, not both."
        return None

    def missing(request: RawRequest) -> str | None:
        if not request.body and "InputLocation" not in request.values:
            return "Exactly one of Body and InputLocation must be provided; neither was."
        return None

    yield Rule(f"{member.name}.max_length", max_length)
    yield Rule("Body.exclusive", exclusive)
    yield Rule("InputLocation.missing_required", missing)


def default_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for member in input_members().values():
        if member.type_name == "string":
            rules.extend(_string_rules(member))
        elif member.type_name == "integer":
            rules.extend(_integer_rules(member))
        elif member.location == "payload":
            rules.extend(_body_rules(member))
    return tuple(rules)


def default_validator() -> RuleValidator:
    return RuleValidator(default_rules())
