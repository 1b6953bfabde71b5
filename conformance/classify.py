"""What a check's exception says: the target's violations, the behaviours judged, or
a harness error (the suite could not judge)."""

from __future__ import annotations

from conformance.client import HarnessError, TargetMisbehaved
from conformance.violations import ContractViolation, ContractViolations


def misbehaviour(exc: BaseException | None) -> TargetMisbehaved | None:
    """The target's broken HTTP exchange behind ``exc``, if that is what stopped the check."""
    if isinstance(exc, TargetMisbehaved):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = misbehaviour(inner)
            if found is not None:
                return found
    return None


def _no_answer_violations(
    exc: TargetMisbehaved, ids: tuple[str, ...]
) -> list[ContractViolation]:
    """A target that hangs or breaks HTTP fails what needed its answer: IEA-WIRE-001
    first, then every behaviour the check names, with the deadline as evidence."""
    expected = f"an HTTP answer within {exc.deadline:.0f} s"
    return [
        ContractViolation(
            behaviour,
            expected=expected,
            observed=exc.observed,
            observations=[exc.evidence()],
        )
        for behaviour in dict.fromkeys(("IEA-WIRE-001", *ids))
    ]


def classify(
    exc: BaseException | None, ids: tuple[str, ...] = ()
) -> tuple[list[ContractViolation], set[str], str | None]:
    """(violations, behaviours judged, error text) for a check's exception."""
    if exc is None:
        return [], set(), None
    misbehaved = misbehaviour(exc)
    if misbehaved is not None:
        violations = _no_answer_violations(misbehaved, ids)
        return violations, {v.behaviour for v in violations}, None
    if isinstance(exc, ContractViolations):
        return list(exc.violations), set(exc.judged), None
    if isinstance(exc, ContractViolation):
        return [exc], {exc.behaviour}, None
    if isinstance(exc, BaseExceptionGroup):
        found = [e for e in exc.exceptions if isinstance(e, ContractViolation | ContractViolations)]
        if found:
            violations: list[ContractViolation] = []
            judged: set[str] = set()
            for e in found:
                v, j, _ = classify(e)
                violations.extend(v)
                judged |= j
            return violations, judged, None
    if isinstance(exc, HarnessError):
        return [], set(), f"{type(exc).__name__}: {exc}"
    return [], set(), f"the check itself broke: {type(exc).__name__}: {exc}"
