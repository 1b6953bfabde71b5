"""Verdicts with evidence: how a check says a target broke a behaviour.

A failed check raises :class:`ContractViolation`, which names the behaviour, says
what was expected and what was observed, and carries the exchange and the
observations (S3 objects, notifications, probe records) that prove it. The plugin
turns it into the ``fail`` status and the report's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.client import Exchange
from spec.catalogue import load_catalogue

_STATEMENTS: dict[str, str] | None = None
# Behaviours judged by the running check, passed or not: a check that ends without
# judging a behaviour it names has not shown that behaviour, and is not a pass for it.
_judged: set[str] = set()
# What a passing check says about how a behaviour held (e.g. which of two accepted answers
# the target gave), shown as the pass's message in the results document.
_notes: dict[str, str] = {}
# Evidence a passing check gathered for a behaviour (counts, figures): a pass is shown
# with what it rests on, e.g. the load profile's counts of a burst.
_pass_evidence: dict[str, dict[str, Any]] = {}


def reset_judged() -> None:
    _judged.clear()
    _notes.clear()
    _pass_evidence.clear()


def attach_evidence(behaviour: str, evidence: Mapping[str, Any]) -> None:
    """Keep ``evidence`` with ``behaviour``'s verdict in the running check, pass or fail."""
    _pass_evidence[known(behaviour)] = dict(evidence)


def pass_evidence() -> dict[str, dict[str, Any]]:
    return dict(_pass_evidence)


def note(behaviour: str, text: str) -> None:
    """Say how ``behaviour`` held in the running check (the last note wins)."""
    _notes[known(behaviour)] = text


def pass_notes() -> dict[str, str]:
    return dict(_notes)


def judged_behaviours() -> frozenset[str]:
    return frozenset(_judged)


class UnknownBehaviour(LookupError):
    """A check names a behaviour the catalogue does not have: the check is broken."""


def _statements() -> dict[str, str]:
    global _STATEMENTS
    if _STATEMENTS is None:
        _STATEMENTS = {b.id: b.statement for b in load_catalogue()}
    return _STATEMENTS


def known(behaviour: str) -> str:
    """``behaviour`` if the catalogue has it; a typo fails at its first use, never silently."""
    if behaviour not in _statements():
        raise UnknownBehaviour(
            f"{behaviour!r} is not a behaviour of spec/behaviours.toml: "
            "fix the ID where the check names it"
        )
    return behaviour


def statement(behaviour: str) -> str:
    return _statements()[known(behaviour)]


class ContractViolation(AssertionError):
    """The target broke ``behaviour``; the message and evidence say how."""

    def __init__(
        self,
        behaviour: str,
        *,
        expected: str,
        observed: str,
        exchange: Exchange | None = None,
        observations: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.behaviour = known(behaviour)
        self.expected = expected
        self.observed = observed
        self.exchange = exchange
        self.observations = [dict(o) for o in observations]
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [
            f"{self.behaviour} broken: {statement(self.behaviour)}",
            f"  expected: {self.expected}",
            f"  observed: {self.observed}",
        ]
        if self.exchange is not None:
            request, response = self.exchange.request, self.exchange.response
            lines.append(f"  request:  {request.method} {request.url} ({len(request.body)} bytes)")
            body = response.body[:300].decode("utf-8", "replace")
            lines.append(f"  response: {response.status} {body}")
        for observation in self.observations[:5]:
            lines.append(f"  observed {observation.get('kind', 'note')}: {_short(observation)}")
        return "\n".join(lines)

    def evidence(self) -> dict[str, Any]:
        evidence: dict[str, Any] = {
            "behaviour": self.behaviour,
            "expected": self.expected,
            "observed": self.observed,
            "observations": self.observations,
        }
        if self.exchange is not None:
            evidence.update(self.exchange.to_evidence())
        return evidence


def require(
    condition: object,
    behaviour: str,
    *,
    expected: str,
    observed: str,
    exchange: Exchange | None = None,
    observations: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Raise :class:`ContractViolation` unless ``condition`` holds."""
    checks = Checks()
    checks.require(
        condition,
        behaviour,
        expected=expected,
        observed=observed,
        exchange=exchange,
        observations=observations,
    )
    checks.done()


def _short(observation: Mapping[str, Any]) -> str:
    items = {k: v for k, v in observation.items() if k != "kind"}
    text = ", ".join(f"{k}={v!r}" for k, v in items.items())
    return text if len(text) <= 300 else text[:297] + "..."


class ContractViolations(AssertionError):
    """Several behaviours broken in one check; ``judged`` lists every behaviour checked."""

    def __init__(self, violations: list[ContractViolation], judged: set[str]) -> None:
        self.violations = violations
        self.judged = set(judged)
        super().__init__("\n".join(str(v) for v in violations))


class Checks:
    """Soft checks: judge several behaviours in one test, report every one broken.

    ``require`` records the verdict and returns whether it held, so a check can
    stop early when later observations would be meaningless.
    """

    def __init__(self) -> None:
        self.judged: set[str] = set()
        self.violations: list[ContractViolation] = []

    def require(
        self,
        condition: object,
        behaviour: str,
        *,
        expected: str,
        observed: str,
        exchange: Exchange | None = None,
        observations: Iterable[Mapping[str, Any]] = (),
    ) -> bool:
        known(behaviour)
        self.judged.add(behaviour)
        _judged.add(behaviour)
        if condition:
            return True
        if not any(v.behaviour == behaviour for v in self.violations):
            self.violations.append(
                ContractViolation(
                    behaviour,
                    expected=expected,
                    observed=observed,
                    exchange=exchange,
                    observations=observations,
                )
            )
        return False

    def done(self) -> None:
        """Raise the violations found so far, if any."""
        if len(self.violations) == 1 and self.judged == {self.violations[0].behaviour}:
            raise self.violations[0]
        if self.violations:
            raise ContractViolations(self.violations, self.judged)
