"""Verdicts: from a check's report to one outcome per behaviour, and what pytest shows.

A violation of a MUST fails the check; of a SHOULD or MAY, it is an advisory (shown as
"SHOULD failed"); one the expectations file lists is an expected failure; a harness
problem is an error, never a failure of the target.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import sensitive
from conformance.claims import claimed
from conformance.classify import classify, misbehaviour
from conformance.failing_example import failing_example
from conformance.run_state import RunState
from conformance.violations import (
    ContractViolation,
    judged_behaviours,
    pass_evidence,
    pass_notes,
)
from reports.records import TestRecord
from reports.redact import redact
from spec.catalogue import load_catalogue


def record_teardown_error(
    state: RunState, item: pytest.Item, report: pytest.TestReport, ids: tuple[str, ...]
) -> None:
    """A teardown that broke is an error of every behaviour the check names."""
    for behaviour in ids:
        state.outcomes.append(
            TestRecord(
                item.nodeid, (behaviour,), "error", report.duration, _text(report.longrepr)
            )
        )


def record_verdicts(
    state: RunState,
    item: pytest.Item,
    call: pytest.CallInfo[None],
    report: pytest.TestReport,
    ids: tuple[str, ...],
) -> None:
    catalogue = load_catalogue()
    record = state.outcomes.append
    nodeid, duration = item.nodeid, report.duration
    unclaimed = [i for i in ids if not claimed(state, catalogue.get(i))]
    for behaviour in unclaimed:
        record(TestRecord(nodeid, (behaviour,), "skipped", duration, reason="not claimed"))
    ids = tuple(i for i in ids if i not in unclaimed)
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        for behaviour in ids:
            record(TestRecord(nodeid, (behaviour,), "skipped", duration, reason=reason))
        return
    exc = call.excinfo.value if call.excinfo else None
    if report.when == "setup" and misbehaviour(exc) is None:
        message = _text(report.longrepr)
        for behaviour in ids:
            record(TestRecord(nodeid, (behaviour,), "error", duration, message=message))
        _show_as_harness_error(report, message)
        return

    violations, judged, error = classify(exc, ids)
    if error is not None:
        message = sensitive.scrub(error)
        for behaviour in ids:
            record(TestRecord(nodeid, (behaviour,), "error", duration, message=message))
        _show_as_harness_error(report, message)
        return

    example = failing_example(exc)
    unexpected: list[str] = []
    stale: list[str] = []
    violated = {v.behaviour for v in violations}
    for violation in violations:
        expected = state.expectations.get(violation.behaviour)
        evidence = redact(violation.evidence(), secrets=sensitive.registered())
        message = sensitive.scrub(str(violation))
        if expected:
            record(
                TestRecord(
                    nodeid, (violation.behaviour,), "xfailed", duration, message, evidence,
                    example, expected.reason, expected.link,
                )
            )
        else:
            unexpected.append(violation.behaviour)
            record(
                TestRecord(
                    nodeid, (violation.behaviour,), "failed", duration, message, evidence, example
                )
            )
    stopped_at = ", ".join(sorted(violated))
    exercised = judged | judged_behaviours()
    for behaviour in ids:
        if behaviour in violated:
            continue
        if not violations and behaviour not in exercised:
            record(
                TestRecord(
                    nodeid, (behaviour,), "untested", duration,
                    reason="not exercised by this run of the check",
                )
            )
            continue
        if violations and behaviour not in exercised:
            record(
                TestRecord(
                    nodeid, (behaviour,), "untested", duration,
                    reason=f"not judged: the check stopped at {stopped_at}",
                )
            )
            continue
        expected = state.expectations.get(behaviour)
        if expected:
            stale.append(behaviour)
            record(
                TestRecord(
                    nodeid, (behaviour,), "xpassed", duration,
                    message=f"{behaviour} passed but the expectations file lists it as failing "
                    f"({expected.reason}); remove it from {state.expectations.path}",
                    reason=expected.reason, link=expected.link,
                )
            )
        else:
            message = sensitive.scrub(pass_notes().get(behaviour, ""))
            found = pass_evidence().get(behaviour)
            evidence = redact(found, secrets=sensitive.registered()) if found else None
            record(
                TestRecord(
                    nodeid, (behaviour,), "passed", duration, message=message, evidence=evidence
                )
            )

    binding = [b for b in unexpected if catalogue.get(b).level == "MUST"]
    advisories = [b for b in unexpected if b not in binding]
    if advisories:
        state.advisories.extend(f"{nodeid}: {b}" for b in advisories)
    if binding or stale:
        report.outcome = "failed"
        if violations and not stale:
            report.longrepr = _failure_text(violations, example)
        if stale:
            note = (
                f"[XPASS(strict)] expected to fail but passed: {', '.join(stale)} "
                f"(expectations file {state.expectations.path})"
            )
            report.longrepr = f"{_text(report.longrepr)}\n{note}" if violations else note
    elif advisories:
        # A SHOULD or MAY the target does not keep is reported, not a failed run; pytest
        # shows it as such (not as a plain pass), in the report's own words.
        report.outcome = "passed"
        report.longrepr = None
        levels = {catalogue.get(b).level for b in advisories}
        report.conformance_verdict = f"{'SHOULD' if 'SHOULD' in levels else 'MAY'} failed"  # type: ignore[attr-defined]
    elif violations:
        reasons = "; ".join(
            f"{b}: {state.expectations.get(b).reason}"  # type: ignore[union-attr]
            for b in sorted(violated)
        )
        report.outcome = "skipped"
        report.wasxfail = reasons  # type: ignore[attr-defined]


def _show_as_harness_error(report: pytest.TestReport, message: str) -> None:
    """pytest shows what the report says: an error of the harness, not a failed check."""
    report.conformance_verdict = "error"  # type: ignore[attr-defined]
    report.longrepr = f"HARNESS ERROR (the suite could not judge this check): {message}"


def _failure_text(violations: list[ContractViolation], example: str | None) -> str:
    """What the terminal shows for a failed check: behaviour, expected, observed, and
    the reproduction, never a library's traceback."""
    from reports.abbreviate import abbreviate_text

    parts = [abbreviate_text(sensitive.scrub(str(v)), limit=4000) for v in violations]
    reproduction = next(
        (v.exchange.to_evidence()["reproduction"]["curl"] for v in violations if v.exchange),
        None,
    )
    if reproduction:
        parts.append(f"  reproduce: {abbreviate_text(sensitive.scrub(reproduction), limit=1000)}")
    if example:
        parts.append(abbreviate_text(example, limit=2000))
    return "\n".join(parts)


def teststatus(report: pytest.TestReport) -> Any:
    """How pytest shows a report the verdicts rewrote (None: pytest's own way)."""
    verdict = getattr(report, "conformance_verdict", None)
    if verdict == "error":
        return "error", "E", "ERROR"
    if verdict:
        return verdict, "f", ("FAILED (" + verdict.split()[0] + ")", {"yellow": True})
    return None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return _text(longrepr)


def _text(longrepr: Any) -> str:
    return sensitive.scrub(str(longrepr)) if longrepr is not None else ""
