"""Generated requests agree with botocore, the OpenAPI document and the contract."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import serialize
from botocore.session import get_session
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, Phase, find, given, settings

from spec import revisions
from spec.contract import contract
from spec.wirecheck import validate_wire_request
from strategies.errors import InvalidArgument
from strategies.requests import InvalidRequest, invalid_requests, valid_requests, violations

OPERATION = (
    get_session().get_service_model("sagemaker-runtime").operation_model("InvokeEndpointAsync")
)
SERIALIZER = serialize.create_serializer("rest-json", include_validation=False)
FAST = settings(
    max_examples=60,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Constraints botocore's ParamValidator checks itself: min (length and value), type, required.
BOTOCORE_CHECKS = {"min_length", "minimum", "type"}


def wire(params: dict[str, Any]) -> dict[str, Any]:
    return SERIALIZER.serialize_to_request(params, OPERATION)


def expected_headers(params: dict[str, Any], revision: str) -> set[str]:
    spec = contract(revision)
    return {spec.member(n).wire_name for n in params if spec.member(n).location == "header"}


@pytest.mark.parametrize("revision", revisions.REVISIONS)
def test_valid_requests_pass_botocore_openapi_and_contract(revision: str) -> None:
    @FAST
    @given(valid_requests(revision=revision))
    def check(params: dict[str, Any]) -> None:
        report = ParamValidator().validate(params, OPERATION.input_shape)
        assert not report.has_errors(), report.generate_report()
        request = wire(params)
        assert set(request["headers"]) == expected_headers(params, revision)
        assert set(request["headers"]) <= set(contract(revision).header_names)
        errors = validate_wire_request(
            method=request["method"],
            path=request["url_path"],
            headers=request["headers"],
            body=request["body"],
            revision=revision,
        )
        assert errors == (), errors
        assert contract(revision).check(params) == ()
        assert ("Body" in params) != ("InputLocation" in params)

    check()


@pytest.mark.parametrize("revision", ["2021-08", "2023-01", "2026"])
def test_invalid_requests_are_rejected_for_the_labelled_reason(revision: str) -> None:
    @settings(FAST, max_examples=150)
    @given(invalid_requests(revision=revision))
    def check(request: InvalidRequest) -> None:
        violation = request.violation
        assert [v.key for v in contract(revision).check(request.params)] == [violation.key]
        sent = wire(request.params)
        errors = validate_wire_request(
            method=sent["method"],
            path=sent["url_path"],
            headers=sent["headers"],
            body=sent["body"],
            revision=revision,
        )
        # the schema may also report a second keyword for the same value ("" breaks the pattern)
        assert (violation.member, violation.kind) in [(e.member, e.kind) for e in errors]
        assert {e.member for e in errors} == {violation.member}
        report = ParamValidator().validate(request.params, OPERATION.input_shape)
        # botocore checks min length/value, type, required; not max, pattern, Body/InputLocation
        assert report.has_errors() is (violation.kind in BOTOCORE_CHECKS), report.generate_report()

    check()


@pytest.mark.parametrize("revision", ["2021-08", "2026"])
def test_every_labelled_violation_is_generated(revision: str) -> None:
    """Each behaviour can be asked for alone, and yields every (member, kind) it covers."""
    seen: set[tuple[str, str, str]] = set()
    for behaviour in sorted({b for _, _, b in violations(revision)}):

        @settings(FAST, max_examples=40, phases=[Phase.generate])
        @given(invalid_requests(revision=revision, behaviours=[behaviour]))
        def collect(request: InvalidRequest) -> None:
            seen.add(request.violation.key)  # type: ignore[arg-type]

        collect()
    assert seen == set(violations(revision))  # labels come only from the filter's triples


def test_given_endpoint_and_input_are_used() -> None:
    strategy = valid_requests(
        revision="2026-02", endpoint_name="probe-1", input_location="s3://bucket/in.json"
    )
    example = find(strategy, lambda p: True, settings=settings(database=None))
    assert example["EndpointName"] == "probe-1"
    assert example["InputLocation"] == "s3://bucket/in.json"
    inline = find(valid_requests(body=b"{}"), lambda p: True, settings=settings(database=None))
    assert inline["Body"] == b"{}" and "InputLocation" not in inline


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"revision": "2099"}, "revision='2099': use one of"),
        ({"endpoint_name": "bad_name"}, "endpoint_name='bad_name': not a valid EndpointName"),
        ({"input_location": "ftp://x"}, "input_location='ftp://x'"),
        ({"body": b"x", "revision": "2026-02"}, "revision 2026-02 has no inline Body"),
        ({"body": b"x", "input_location": "s3://b/k"}, "exclusive"),
        ({"body": b""}, "must be non-empty bytes"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(")):
        valid_requests(**kwargs)


def test_unknown_behaviour_filter() -> None:
    with pytest.raises(InvalidArgument, match="behaviours=\\['IEA-VAL-019'\\]: at 2026-02"):
        invalid_requests(revision="2026-02", behaviours=["IEA-VAL-019"])
