"""The plugin's verdicts, driven with pytester: checks that raise violations, pass,
break the harness, and expectations that turn failures into xfail (strictly)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHECKS = '''
import pytest
from conformance.client import HarnessError
from conformance.violations import Checks, require


@pytest.mark.behaviour("IEA-WIRE-001")
def test_breaks_wire_001():
    require(False, "IEA-WIRE-001", expected="status 202", observed="status 200")


@pytest.mark.behaviour("IEA-ID-001")
def test_keeps_id_001():
    require(True, "IEA-ID-001", expected="echo", observed="echo")


@pytest.mark.behaviour("IEA-WIRE-007")
def test_breaks_a_should():
    require(False, "IEA-WIRE-007", expected="json", observed="text/plain")


@pytest.mark.behaviour("IEA-OUT-001")
def test_harness_breaks():
    raise HarnessError("the S3 endpoint went away")


@pytest.mark.behaviour("IEA-OUT-002", "IEA-OUT-003")
def test_judges_only_one_of_two():
    require(True, "IEA-OUT-002", expected="x", observed="x")


@pytest.mark.behaviour("IEA-FAIL-001", "IEA-FAIL-002")
def test_soft_checks_report_every_break():
    checks = Checks()
    checks.require(False, "IEA-FAIL-001", expected="failure object", observed="none")
    checks.require(False, "IEA-FAIL-002", expected="no output", observed="output")
    checks.done()
'''

TARGET_OPTIONS = ("--endpoint-name", "e", "--input-s3", "s3://b/p", "-p", "no:randomly")


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    pytester.makepyfile(test_checks=CHECKS)
    results = pytester.path / "results.json"
    outcome = pytester.runpytest_subprocess(
        *TARGET_OPTIONS, "--conformance-results-json", str(results), *args
    )
    return outcome, json.loads(results.read_text())


def _statuses(document: dict) -> dict[str, str]:
    return {b["id"]: b["status"] for b in document["behaviours"]}


def test_violations_fail_should_breaks_advise_and_harness_faults_are_errors(
    pytester: pytest.Pytester,
) -> None:
    outcome, document = _run(pytester)
    # pytest says what the report says: the harness fault is an error, the SHOULD a
    # SHOULD failure (not a green pass), and only the MUST breaks are failures.
    outcome.assert_outcomes(passed=2, failed=2, errors=1)
    outcome.stdout.fnmatch_lines(["*2 failed, 2 passed, *1 error, 1 SHOULD failed*"])
    statuses = _statuses(document)
    assert statuses["IEA-WIRE-001"] == "fail"
    assert statuses["IEA-ID-001"] == "pass"
    assert statuses["IEA-WIRE-007"] == "fail"  # recorded, but a SHOULD does not fail the run
    assert statuses["IEA-OUT-001"] == "error"
    assert statuses["IEA-OUT-002"] == "pass"
    assert statuses["IEA-OUT-003"] == "untested" or statuses["IEA-OUT-003"] == "skip"
    assert statuses["IEA-FAIL-001"] == statuses["IEA-FAIL-002"] == "fail"
    outcome.stdout.fnmatch_lines(["*conformance advisories*", "*IEA-WIRE-007*"])
    error = next(b for b in document["behaviours"] if b["id"] == "IEA-OUT-001")
    assert "the S3 endpoint went away" in error["tests"][0]["message"]
    broken = next(b for b in document["behaviours"] if b["id"] == "IEA-WIRE-001")
    evidence = broken["tests"][0]["evidence"]
    assert evidence["expected"] == "status 202" and evidence["observed"] == "status 200"


def test_expected_failures_are_xfail_and_an_unexpected_pass_fails(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    expectations = tmp_path / "expectations.toml"
    expectations.write_text(
        'implementation = "example"\nversion = "1"\n'
        '[[expected_failure]]\nbehaviour = "IEA-WIRE-001"\nreason = "answers 200"\n'
        'link = "https://example.invalid/1"\n'
        '[[expected_failure]]\nbehaviour = "IEA-ID-001"\nreason = "stale entry"\n'
    )
    outcome, document = _run(pytester, "--expectations", str(expectations))
    outcome.assert_outcomes(passed=1, failed=2, errors=1, xfailed=1)
    statuses = _statuses(document)
    assert statuses["IEA-WIRE-001"] == "xfail"
    assert statuses["IEA-ID-001"] == "fail"  # strict: the expectation is stale
    outcome.stdout.fnmatch_lines(["*XPASS(strict)*IEA-ID-001*"])


def test_a_check_citing_an_unknown_behaviour_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unknown='''
import pytest

@pytest.mark.behaviour("IEA-NOPE-999")
def test_cites_nothing_real():
    pass
'''
    )
    outcome = pytester.runpytest_subprocess(*TARGET_OPTIONS)
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    outcome.stderr.fnmatch_lines(["*cites unknown behaviour IDs: IEA-NOPE-999*"])


def test_unclaimed_profiles_and_newer_revisions_are_skipped_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    outcome, document = _run(pytester, "--profiles", "core", "--revision", "2021-08")
    reasons = {b["id"]: b["reason"] for b in document["behaviours"]}
    assert "'failure' profile" in reasons["IEA-FAIL-001"]
    outcome.assert_outcomes(passed=2, failed=1, errors=1, skipped=1)


HANGING_CHECK = '''
import pytest
from conformance.client import RecordedRequest, TargetMisbehaved


@pytest.mark.behaviour("IEA-ID-001")
def test_against_a_target_that_hangs():
    request = RecordedRequest("POST", "http://127.0.0.1:9/endpoints/e/async-invocations", {}, b"")
    raise TargetMisbehaved(
        "http://127.0.0.1:9 accepted the connection but did not answer within 3 s; the "
        "target hangs", request=request, deadline=3.0, elapsed=3.0,
    )
'''


def test_a_target_that_hangs_fails_what_it_broke_with_the_deadline(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_hangs=HANGING_CHECK)
    results = pytester.path / "results.json"
    outcome = pytester.runpytest_subprocess(
        *TARGET_OPTIONS, "--conformance-results-json", str(results)
    )
    document = json.loads(results.read_text())
    outcome.assert_outcomes(failed=1)
    statuses = _statuses(document)
    # The target's fault: a fail (exit 1), IEA-WIRE-001 first, never a harness error.
    assert statuses["IEA-WIRE-001"] == statuses["IEA-ID-001"] == "fail"
    wire = next(b for b in document["behaviours"] if b["id"] == "IEA-WIRE-001")
    evidence = wire["tests"][0]["evidence"]
    assert evidence["expected"] == "an HTTP answer within 3 s"
    assert evidence["observations"][0]["deadline_seconds"] == 3.0
    assert document["summary"]["counts"]["error"] == 0
    # The terminal says what happened, not where in the suite it was raised.
    text = outcome.stdout.str()
    assert "IEA-WIRE-001 broken" in text and "did not answer within 3 s" in text
    assert "Traceback" not in text and "raise TargetMisbehaved" not in text


def test_secrets_never_reach_the_terminal(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_secret='''
import pytest
from conformance import sensitive
from conformance.violations import require

@pytest.mark.behaviour("IEA-HDR-002")
def test_leaks():
    value = "planted-custom-attributes-4f1c9"
    sensitive.register(value)
    require(False, "IEA-HDR-002", expected=value, observed=value + "x")
'''
    )
    results = pytester.path / "results.json"
    outcome = pytester.runpytest_subprocess(
        *TARGET_OPTIONS, "--conformance-results-json", str(results)
    )
    outcome.assert_outcomes(failed=1)
    everything = "\n".join(outcome.outlines + outcome.errlines) + results.read_text()
    assert "planted-custom-attributes-4f1c9" not in everything
