"""Values: valid per the contract, edges really generated, bad arguments worded name=value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from spec.contract import contract
from strategies import values
from strategies.errors import InvalidArgument
from strategies.headers import TRANSPORT, look_alikes, supported_headers, unsupported_headers
from strategies.invalid_values import out_of_range
from strategies.probe import probe_instructions
from strategies.requests import invalid_requests

QUICK = settings(
    database=None,
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def found(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    return find(strategy, condition, settings=QUICK)


@pytest.mark.parametrize("edge", [60, 61, 21599, 21600])
def test_ttl_edges(edge: int) -> None:
    assert found(values.ttl_seconds(), lambda v: v == edge) == edge


@pytest.mark.parametrize("edge", [1, 900, 3600])
def test_timeout_edges(edge: int) -> None:
    assert found(values.timeout_seconds(), lambda v: v == edge) == edge


@pytest.mark.parametrize(
    ("member", "kind", "edge"),
    [
        ("RequestTTLSeconds", "minimum", 59),
        ("RequestTTLSeconds", "maximum", 21601),
        ("InvocationTimeoutSeconds", "minimum", 0),
        ("InvocationTimeoutSeconds", "maximum", 3601),
    ],
)
def test_out_of_range_edges(member: str, kind: str, edge: int) -> None:
    assert found(out_of_range(contract().member(member), kind), lambda v: v == edge) == edge


@pytest.mark.parametrize(
    ("factory", "sizes"),
    [
        (values.custom_attributes, (1, 1024)),
        (values.inference_ids, (1, 64)),
        (values.endpoint_names, (1, 63)),
        (values.s3_output_path_extensions, (1, 512)),
        (values.filenames, (1, 32)),
        (values.input_locations, (1024,)),
        (values.bodies, (1, 128_000)),
    ],
)
def test_valid_length_edges(factory: Callable[[], st.SearchStrategy[Any]], sizes: tuple) -> None:
    for size in sizes:
        assert len(found(factory(), lambda v, n=size: len(v) == n)) == size


@pytest.mark.parametrize(
    ("behaviour", "member", "size"),
    [
        ("IEA-VAL-001", "EndpointName", 64),
        ("IEA-VAL-007", "CustomAttributes", 1025),
        ("IEA-VAL-009", "InferenceId", 65),
        ("IEA-VAL-011", "InputLocation", 1025),
        ("IEA-VAL-015", "Filename", 33),
        ("IEA-VAL-019", "Body", 128_001),
        ("IEA-VAL-025", "InferenceId", 0),
    ],
)
def test_invalid_length_edges(behaviour: str, member: str, size: int) -> None:
    request = found(
        invalid_requests(behaviours=[behaviour]),
        lambda r: r.violation.member == member and len(r.params[member]) == size,
    )
    assert len(request.params[member]) == size


@settings(max_examples=150, database=None, deadline=None)
@given(st.data())
def test_values_are_valid_and_survive_http(data: st.DataObject) -> None:
    spec = contract()
    for name, strategy in [
        ("CustomAttributes", values.custom_attributes()),
        ("InferenceId", values.inference_ids()),
        ("ContentType", values.media_types()),
        ("EndpointName", values.endpoint_names()),
        ("InputLocation", values.input_locations()),
        ("Filename", values.filenames()),
        ("S3OutputPathExtension", values.s3_output_path_extensions()),
    ]:
        value = data.draw(strategy, label=name)
        params = {"EndpointName": "e", "InputLocation": "s3://b/k", name: value}
        assert spec.check(params) == (), (name, value)
        if name not in ("EndpointName", "InputLocation"):
            assert value == value.strip() and value.isascii() and value.isprintable()


@settings(max_examples=150, database=None, deadline=None)
@given(unsupported_headers(min_size=1, max_size=6))
def test_unsupported_headers(headers: dict[str, str]) -> None:
    supported = supported_headers()
    for name, value in headers.items():
        lowered = name.lower()
        assert lowered not in supported and lowered not in TRANSPORT
        assert not lowered.startswith("x-amz-") and "_" not in lowered
        assert not lowered.startswith("x-amzn-") or lowered.startswith("x-amzn-sagemaker-")
        assert value.isascii() and value.isprintable() and " " not in value
        assert len(value) >= 20
    assert len({n.lower() for n in headers}) == len(headers)


@pytest.mark.parametrize(
    "name",
    [
        "X-Amzn-SageMaker-Custom-Attribute",
        "X-Amzn-SageMaker-Custom-Attributes-Extra",
        "X-Amzn-SageMaker-Target-Model",
        "X-Amzn-SageMaker-InferenceId",
    ],
)
def test_look_alikes_are_generated(name: str) -> None:
    assert name in look_alikes()
    assert name in found(unsupported_headers(), lambda h, n=name: n in h)


def test_no_case_variant_of_a_supported_header_is_a_look_alike() -> None:
    assert not {n.lower() for n in look_alikes()} & supported_headers()


@settings(max_examples=60, database=None, deadline=None)
@given(probe_instructions(max_sleep_ms=500, statuses=(200, 500)))
def test_probe_instructions(instructions: dict[str, Any]) -> None:
    assert len(instructions["tag"]) == 20
    assert set(instructions) <= {
        "tag",
        "sleep_ms",
        "status",
        "body_bytes",
        "content_type",
        "custom_attributes",
    }
    assert 0 <= instructions.get("sleep_ms", 0) <= 500
    assert instructions.get("status", 200) in (200, 500)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: values.custom_attributes(max_size=2000),
            "max_size=2000: InvokeEndpointAsyncInput.CustomAttributes is at most 1024",
        ),
        (lambda: values.inference_ids(min_size=0), "min_size=0: "),
        (
            lambda: values.filenames(min_size=5, max_size=3),
            "min_size=5: must not exceed max_size=3",
        ),
        (lambda: values.bodies(max_size="big"), "max_size='big': must be an int"),
        (lambda: unsupported_headers(min_size=0), "min_size=0: must be an int >= 1"),
        (lambda: probe_instructions(statuses=()), "statuses=(): "),
        (lambda: probe_instructions(max_sleep_ms=-1), "max_sleep_ms=-1: must be an int >= 0"),
    ],
)
def test_bad_arguments_are_worded_name_equals_value(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)
