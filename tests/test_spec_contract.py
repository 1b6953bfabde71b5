"""spec.contract and spec.revisions: members as of a revision, and AWS's checking semantics."""

from __future__ import annotations

import pytest

from spec import revisions
from spec.contract import contract, java_length
from spec.wirecheck import validate_wire_request


def test_revisions() -> None:
    assert revisions.REVISIONS == ("2021-08", "2023-01", "2023-04", "2026-02", "2026")
    assert revisions.normalize("latest") == revisions.normalize("current") == "2026"
    assert revisions.includes("2026-02", "2023-01")
    assert not revisions.includes("2023-01", "2026")
    with pytest.raises(revisions.UnknownRevision, match="known: 2021-08"):
        revisions.normalize("2022")


def test_members_as_of_revisions() -> None:
    old, now = contract("2021-08"), contract()
    assert not old.has("Body") and old.member("InputLocation").required
    assert now.member("Body").location == "body" and now.member("Body").max_length == 128_000
    assert now.exactly_one_of == (("Body", "InputLocation"),)
    assert not now.member("InputLocation").required
    ttl = now.member("RequestTTLSeconds")
    assert (ttl.minimum, ttl.maximum, ttl.default, ttl.wire_name) == (
        60,
        21600,
        21600,
        "X-Amzn-SageMaker-RequestTTLSeconds",
    )
    assert now.member("EndpointName").location == "path"
    assert now.member("CustomAttributes").sensitive
    assert {m.name for m in now.response_members} == {
        "InferenceId",
        "OutputLocation",
        "FailureLocation",
    }
    assert now.error_statuses[400] == ("ValidationError",)
    with pytest.raises(KeyError, match="known"):
        old.member("Filename")


def test_check_reports_one_violation_per_member() -> None:
    now = contract()
    found = now.check(
        {
            "EndpointName": "a_b",
            "Body": b"x",
            "InputLocation": "s3://b/k",
            "RequestTTLSeconds": 59,
            "InferenceId": "",
        }
    )
    assert [v.key for v in found] == [
        ("EndpointName", "pattern", "IEA-VAL-002"),
        ("RequestTTLSeconds", "minimum", "IEA-VAL-017"),
        ("InferenceId", "min_length", "IEA-VAL-025"),
        ("Body", "exclusive", "IEA-VAL-021"),
    ]
    assert [v.key for v in now.check({"EndpointName": "e", "Body": b""})] == [
        ("InputLocation", "missing_required", "IEA-VAL-020")
    ]
    assert now.check({"EndpointName": "e", "Body": b"x" * 128_000}) == ()
    assert (
        now.check({"EndpointName": "e", "Body": b"x", "RequestTTLSeconds": True})[0].kind == "type"
    )
    assert (
        contract("2021-08").check({"EndpointName": "e", "Filename": "f"})[0].kind
        == "unknown_member"
    )


def test_lengths_count_utf16_units_like_java() -> None:
    assert java_length("\U0001f600") == 2
    now = contract()
    assert (
        now.check(
            {
                "EndpointName": "e",
                "InputLocation": "s3://b/k",
                "InferenceId": "a" * 63 + "\U0001f600",
            }
        )[0].kind
        == "max_length"
    )


def test_wirecheck_reads_the_wire_like_a_server() -> None:
    errors = validate_wire_request(
        method="POST",
        path="/endpoints/a%5Fb/async-invocations",
        headers={
            "x-amzn-sagemaker-requestttlseconds": "sixty",
            "X-Amzn-SageMaker-InputLocation": "s3://b/k",
        },
        body=b"x",
    )
    assert [(e.member, e.kind) for e in errors] == [
        ("EndpointName", "pattern"),
        ("RequestTTLSeconds", "type"),
        ("Body", "exclusive"),
    ]
    assert [
        e.kind
        for e in validate_wire_request(
            method="POST", path="/endpoints/e/async-invocations", headers={}, revision="2021-08"
        )
    ] == ["missing_required"]
