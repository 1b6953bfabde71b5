"""Units of the suite's harness: reading S3 locations, rest-json error types,
interval overlap, probe records, and the sensitive-value scrubber."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import sensitive
from conformance.checks.test_concurrency import max_overlap
from conformance.client import Exchange, RecordedRequest, RecordedResponse
from conformance.probe import parse_probe_record, probe_payload, sized_answer
from conformance.s3uri import S3Location, parse_location


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/a/b.out", S3Location("bucket", "a/b.out")),
        ("https://bucket.s3.us-east-1.amazonaws.com/a/b.out", S3Location("bucket", "a/b.out")),
        ("https://s3.us-east-1.amazonaws.com/bucket/a/b.out", S3Location("bucket", "a/b.out")),
        ("http://127.0.0.1:5000/bucket/a%20b", S3Location("bucket", "a b")),
        ("s3://", None),
        ("ftp://bucket/key", None),
        (None, None),
    ],
)
def test_locations_are_read_in_every_form_aws_uses(uri: str | None, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_location(uri) == expected


def test_under_a_prefix_means_under_its_folder_in_the_same_bucket() -> None:
    location = S3Location("b", "output/x/1.out")
    assert location.is_under("s3://b/output")
    assert location.is_under("s3://b/output/")
    assert location.is_under("s3://b")
    assert not location.is_under("s3://b/out")  # a sibling folder, not a parent
    assert not location.is_under("s3://other/output")


def _exchange(status: int, headers: dict[str, str], body: object) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(
        RecordedRequest("POST", "http://t/", {}, b""),
        RecordedResponse(status, headers, raw, 0.01),
    )


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"X-Amzn-ErrorType": "ValidationError"}, {"message": "m"}, "ValidationError"),
        ({"x-amzn-errortype": "ValidationError:http://internal/"}, {}, "ValidationError"),
        ({}, {"__type": "com.amazonaws.sagemaker#ValidationError"}, "ValidationError"),
        ({}, {"code": "ValidationError"}, "ValidationError"),
        ({}, b"not json", None),
    ],
)
def test_error_types_are_read_as_a_rest_json_client_reads_them(headers, body, expected) -> None:  # type: ignore[no-untyped-def]
    assert _exchange(400, headers, body).error_type() == expected


def test_the_message_is_found_in_either_spelling() -> None:
    assert _exchange(400, {}, {"Message": "bad"}).error_message() == "bad"
    assert _exchange(400, {}, {"message": "bad"}).error_message() == "bad"


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.001, 10)), max_size=30))
def test_overlap_is_the_most_intervals_open_at_once(spans: list[tuple[float, float]]) -> None:
    intervals = [(start, start + length) for start, length in spans]
    # Brute force: the most intervals open at once is reached at some start.
    brute = max((sum(s <= p < e for s, e in intervals) for p, _ in intervals), default=0)
    assert max_overlap(intervals) == brute


def test_touching_intervals_do_not_overlap() -> None:
    assert max_overlap([(0, 1), (1, 2), (2, 3)]) == 1
    assert max_overlap([(0, 2), (1, 3)]) == 2


def test_a_probe_record_round_trips_and_anything_else_is_not_one() -> None:
    record = {
        "probe": 1, "method": "POST", "path": "/invocations",
        "headers": {"Content-Type": "application/json"}, "body_sha256": "ab",
        "body_length": 2, "tag": "t", "started_at": 1.0, "finished_at": 2.0,
        "sequence": 3, "history": ["a", "t"],
    }  # fmt: skip
    parsed = parse_probe_record(json.dumps(record).encode())
    assert parsed is not None and parsed.tag == "t" and parsed.history == ("a", "t")
    assert parsed.header("content-type") == "application/json"
    assert parse_probe_record(b"{}") is None
    assert parse_probe_record(sized_answer(40)) is None
    assert json.loads(probe_payload(tag="x", sleep_ms=5)) == {"tag": "x", "sleep_ms": 5}


def test_sized_answers_have_the_exact_length() -> None:
    assert [len(sized_answer(n)) for n in (0, 1, 16, 17, 1000)] == [0, 1, 16, 17, 1000]


def test_sensitive_values_never_show_in_reprs_and_are_scrubbed_from_text() -> None:
    wrapped = sensitive.sensitive("custom-attributes-7c1d")
    assert "custom-attributes-7c1d" not in repr(wrapped)
    assert wrapped == "custom-attributes-7c1d"
    assert sensitive.scrub("sent custom-attributes-7c1d twice") == "sent [REDACTED] twice"


def test_an_unknown_behaviour_id_in_require_fails_at_its_first_call() -> None:
    from conformance.violations import Checks, ContractViolation, UnknownBehaviour, note, require

    with pytest.raises(UnknownBehaviour, match="IEA-WIRE-999"):
        require(True, "IEA-WIRE-999", expected="x", observed="y")
    with pytest.raises(UnknownBehaviour, match="IEA-VAL-0004"):
        note("IEA-VAL-0004", "how it held")
    with pytest.raises(UnknownBehaviour):
        ContractViolation("IEA-TTL-9", expected="x", observed="y")
    checks = Checks()
    with pytest.raises(UnknownBehaviour):
        checks.require(False, "IEA-HDR-0O1", expected="x", observed="y")
    assert checks.judged == set()


def test_a_blank_header_leaves_the_error_shape_to_the_http_layer() -> None:
    from conformance.checks.test_fuzz import _blank_header

    assert _blank_header({"X-Amzn-SageMaker-InvocationTimeoutSeconds": " "})
    assert _blank_header({"Accept": "*/*", "X-Amzn-SageMaker-Custom-Attributes": ""})
    assert not _blank_header({"Accept": "*/*", "Content-Type": "application/json"})
