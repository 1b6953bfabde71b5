"""The results model: the status lattice, aggregation, the verdict, the schema, round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reports_support import (
    SAMPLES,
    load_sample,
    mixed_results,
    passed,
    run_infos,
    sample_run,
    test_records,
)

from reports.records import RunInfo, TestRecord
from reports.results import STALE_EXPECTATION, Results, build_results
from reports.schema import validation_errors
from reports.status import OUTCOMES, STATUSES, combine, status_of_outcome
from spec.catalogue import load_catalogue

CATALOGUE = load_catalogue()
IDS = [b.id for b in CATALOGUE]


def record(behaviour: str, outcome: str, **fields) -> TestRecord:
    return TestRecord(f"t.py::{outcome}_{len(fields)}", (behaviour,), outcome, 0.1, **fields)


def judge(*records: TestRecord, **run_overrides) -> Results:
    return build_results(sample_run(**run_overrides), records, CATALOGUE)


# --- the lattice -------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ((), "untested"),
        (("skipped",), "skip"),
        (("skipped", "passed"), "pass"),
        (("passed", "xfailed"), "xfail"),
        (("passed", "error"), "error"),  # an error is never hidden by a pass
        (("error", "failed"), "fail"),  # a real failure is a verdict
        (("xfailed", "error"), "error"),
        (("xpassed",), "fail"),  # a stale expectation is reported
    ],
)
def test_worst_status_wins(outcomes, status):
    assert combine(status_of_outcome(o) for o in outcomes) == status


@given(st.lists(st.sampled_from(OUTCOMES)))
def test_combine_is_the_maximum_and_order_free(outcomes):
    statuses = [status_of_outcome(o) for o in outcomes]
    combined = combine(statuses)
    assert combined == combine(reversed(statuses))
    assert all(STATUSES.index(s) <= STATUSES.index(combined) for s in statuses)


def test_unknown_outcome_is_refused_with_its_value():
    with pytest.raises(ValueError, match="outcome='weird'"):
        TestRecord("t.py::x", ("IEA-WIRE-001",), "weird", 0.0)


# --- aggregation ---------------------------------------------------------------


def test_fail_and_error_on_one_behaviour_is_fail_with_both_as_evidence():
    results = judge(
        record("IEA-WIRE-001", "failed", message="got 200"),
        record("IEA-WIRE-001", "error", message="S3 timed out"),
    )
    behaviour = results.behaviour("IEA-WIRE-001")
    assert behaviour.status == "fail"
    assert [t.outcome for t in behaviour.failing_tests] == ["failed", "error"]


def test_xpassed_fails_the_behaviour_and_says_the_expectation_is_stale():
    results = judge(record("IEA-ID-001", "xpassed", reason="ids were sequence numbers"))
    behaviour = results.behaviour("IEA-ID-001")
    assert behaviour.status == "fail"
    assert behaviour.reason == STALE_EXPECTATION
    assert "ids were sequence numbers" in behaviour.tests[0].message


def test_unclaimed_profile_and_newer_revision_are_skipped_with_the_reason():
    results = judge(passed("IEA-AUTH-001"), passed("IEA-BODY-001"))
    auth, body = results.behaviour("IEA-AUTH-001"), results.behaviour("IEA-BODY-001")
    assert (auth.status, auth.claimed) == ("skip", False)
    assert "'auth' profile" in auth.reason
    assert (body.status, body.claimed) == ("skip", False)
    assert "2026" in body.reason and "2026-02" in body.reason


def test_a_claimed_behaviour_no_test_judged_is_untested():
    behaviour = judge().behaviour("IEA-WIRE-002")
    assert (behaviour.status, behaviour.reason) == ("untested", "no test judged this behaviour")


def test_records_naming_no_catalogue_behaviour_are_kept_apart():
    results = judge(
        TestRecord("t.py::a", (), "passed", 0.1),
        TestRecord("t.py::b", ("IEA-NOPE-001",), "failed", 0.1),
    )
    assert [t.nodeid for t in results.unmapped_tests] == ["t.py::a", "t.py::b"]


def _all_claimed_pass(**overrides) -> list[TestRecord]:
    return [passed(i) for i in IDS if i not in overrides] + list(overrides.values())


def test_conformant_when_every_claimed_must_passes():
    results = judge(*_all_claimed_pass(), exit_code=0)
    assert results.conformant and results.exit_code() == 0
    assert results.summary["must"]["pass_percent"] == 100.0


def test_xfail_with_a_reason_keeps_the_verdict_but_without_one_it_does_not():
    with_reason = judge(
        *_all_claimed_pass(
            **{
                "IEA-WIRE-001": record(
                    "IEA-WIRE-001", "xfailed", reason="known", link="https://x.invalid/1"
                )
            }
        ),
        exit_code=0,
    )
    without = judge(
        *_all_claimed_pass(**{"IEA-WIRE-001": record("IEA-WIRE-001", "xfailed")}), exit_code=0
    )
    assert with_reason.conformant
    assert not without.conformant
    assert without.summary["must"]["blocking"] == ["IEA-WIRE-001"]


@pytest.mark.parametrize("outcome", ["skipped", "failed", "error"])
def test_one_claimed_must_not_passing_breaks_the_verdict(outcome):
    results = judge(
        *_all_claimed_pass(**{"IEA-OUT-001": record("IEA-OUT-001", outcome)}), exit_code=0
    )
    assert not results.conformant
    assert results.summary["must"]["blocking"] == ["IEA-OUT-001"]


def test_a_claimed_must_left_untested_breaks_the_verdict():
    records = [r for r in _all_claimed_pass() if r.behaviours != ("IEA-OUT-001",)]
    assert judge(*records, exit_code=0).summary["reasons"] == [
        "1 MUST behaviour was not judged by any test: IEA-OUT-001"
    ]


def test_an_incomplete_pytest_run_is_never_conformant():
    results = judge(*_all_claimed_pass(), exit_code=2)
    assert not results.conformant
    assert "pytest exited with code 2" in results.summary["reasons"][0]


def test_errors_without_failures_mean_the_harness_failed():
    results = judge(*_all_claimed_pass(**{"IEA-OUT-001": record("IEA-OUT-001", "error")}))
    assert results.harness_failed and results.exit_code() == 3
    assert mixed_results().exit_code() == 1  # errors next to failures: the target failed


def test_summary_counts_add_up_per_profile_and_level():
    summary = mixed_results().summary
    total = sum(summary["counts"].values())
    assert total == len(IDS)
    assert sum(sum(p["counts"].values()) for p in summary["by_profile"].values()) == total
    assert sum(sum(c.values()) for c in summary["by_level"].values()) == total


# --- the document ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_documents_are_valid_and_replay_unchanged(name):
    # The samples are snapshots (rewrite them with python tests/test_reports_support.py);
    # they need not follow later wording changes of the catalogue.
    document = load_sample(name)
    assert validation_errors(document) == []
    assert Results.from_dict(document).to_dict() == document


def test_an_unknown_target_revision_claims_nothing_instead_of_crashing():
    results = judge(passed("IEA-WIRE-001"), revision="1999-01")
    assert results.behaviour("IEA-WIRE-001").status == "skip"
    assert not results.conformant


def test_the_schema_refuses_credentials_in_the_target():
    document = load_sample("results-mixed.json")
    document["run"]["target"]["aws_secret_access_key"] = "x"
    assert any("aws_secret_access_key" in e for e in validation_errors(document))


def test_from_dict_derives_the_verdict_again_instead_of_trusting_it():
    document = load_sample("results-mixed.json")
    document["conformant"] = True
    document["summary"]["conformant"] = True
    assert Results.from_dict(document).conformant is False


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(test_records())
def test_test_record_round_trips(rec):
    assert TestRecord.from_dict(json.loads(json.dumps(rec.to_dict()))) == rec


@settings(max_examples=60)
@given(run_infos())
def test_run_info_round_trips(run):
    assert RunInfo.from_dict(json.loads(json.dumps(run.to_dict()))) == run


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_infos(), st.lists(test_records(IDS), max_size=12))
def test_built_documents_validate_and_round_trip(run, records):
    results = build_results(run, records, CATALOGUE)
    document = json.loads(results.to_json())
    assert validation_errors(document) == []
    assert Results.from_dict(document).to_dict() == document
    for behaviour in results.behaviours:
        assert behaviour.claimed or behaviour.status == "skip"
    if results.conformant:
        assert all(
            b.status in {"pass", "xfail"}
            for b in results.behaviours
            if b.claimed and b.level == "MUST"
        )
