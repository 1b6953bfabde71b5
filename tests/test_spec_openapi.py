"""The generated OpenAPI document: valid, derivable per revision, usable by schemathesis."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from spec import revisions
from spec.generate import DOCUMENT_PATH
from spec.openapi import OPERATION_PATH, load_openapi, operation

LOCK = Path(__file__).resolve().parent.parent / "constraints.txt"


def headers_of(document: dict) -> dict[str, dict]:
    return {p["name"]: p for p in operation(document)["parameters"] if p["in"] == "header"}


@pytest.mark.parametrize("revision", revisions.REVISIONS)
def test_document_validates_at_every_revision(revision: str) -> None:
    validate(load_openapi(revision))


def test_document_records_the_locked_botocore_version() -> None:
    """The document says which botocore it came from: the lock's, which CI installs.

    A newer botocore elsewhere is not a failure here: only a change of the model's
    shapes is drift (test_spec_generate), and `tox -e drift` reports new releases.
    """
    info = json.loads(DOCUMENT_PATH.read_text())["info"]
    locked = re.search(r"^botocore==(\S+)$", LOCK.read_text(), re.MULTILINE)
    assert locked, "constraints.txt pins no botocore"
    assert info["x-botocore-version"] == locked.group(1)
    assert info["x-revision"] == revisions.CURRENT


def test_current_revision_has_inline_body_and_exclusive_inputs() -> None:
    op = operation(load_openapi("current"))
    body = op["requestBody"]
    assert body["required"] is False
    assert body["x-max-bytes"] == 128_000
    assert body["content"]["application/octet-stream"]["schema"]["maxLength"] == 128_000
    assert op["x-exactly-one-of"] == [{"members": ["Body", "InputLocation"], "x-revision": "2026"}]
    location = headers_of(load_openapi())["X-Amzn-SageMaker-InputLocation"]
    assert location["required"] is False
    assert {"Filename", "S3OutputPathExtension", "InvocationTimeoutSeconds"} <= {
        p["x-member"] for p in op["parameters"]
    }


def test_2021_08_has_only_the_original_members() -> None:
    document = load_openapi("2021-08")
    op = operation(document)
    assert "requestBody" not in op
    assert "x-exactly-one-of" not in op
    assert headers_of(document)["X-Amzn-SageMaker-InputLocation"]["required"] is True
    assert {p["x-member"] for p in op["parameters"]} == {
        "EndpointName",
        "ContentType",
        "Accept",
        "CustomAttributes",
        "InferenceId",
        "InputLocation",
        "RequestTTLSeconds",
    }
    assert list(op["responses"]["202"]["headers"]) == ["X-Amzn-SageMaker-OutputLocation"]


def test_members_arrive_in_their_revisions() -> None:
    def members(revision: str) -> set[str]:
        return {p["x-member"] for p in operation(load_openapi(revision))["parameters"]}

    assert members("2023-01") - members("2021-08") == {"InvocationTimeoutSeconds"}
    assert members("2026-02") - members("2023-04") == {"S3OutputPathExtension", "Filename"}
    failure = "X-Amzn-SageMaker-FailureLocation"
    assert failure not in operation(load_openapi("2023-01"))["responses"]["202"]["headers"]
    assert failure in operation(load_openapi("2023-04"))["responses"]["202"]["headers"]


def test_constraints_and_responses() -> None:
    document = load_openapi()
    headers = headers_of(document)
    assert headers["X-Amzn-SageMaker-RequestTTLSeconds"]["schema"] == {
        "type": "integer",
        "format": "int32",
        "minimum": 60,
        "maximum": 21600,
        "default": 21600,
    }
    assert headers["X-Amzn-SageMaker-Inference-Id"]["schema"]["minLength"] == 1
    assert headers["X-Amzn-SageMaker-Custom-Attributes"]["x-sensitive"] is True
    responses = operation(document)["responses"]
    assert set(responses) == {"202", "400", "403", "500", "503"}
    components = document["components"]["responses"]
    assert components["ValidationError"]["x-error-types"] == ["ValidationError"]
    assert "InvalidSignatureException" in components["Error403"]["x-error-types"]
    for response in components.values():
        assert "X-Amzn-ErrorType" in response["headers"]
    assert document["components"]["securitySchemes"]["sigv4"]["x-signing-name"] == "sagemaker"


def test_schemathesis_generates_cases_for_the_operation() -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_dict(load_openapi())
    strategy = schema[OPERATION_PATH]["POST"].as_strategy()
    seen = []

    @settings(
        max_examples=15, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(case: object) -> None:
        seen.append(case)

    collect()
    assert seen
    assert all(c.path_parameters["EndpointName"] for c in seen)
