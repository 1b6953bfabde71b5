"""No credential, session token, signature or CustomAttributes value reaches any artefact."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_reports_support import sample_run, test_records, wire_evidence

from reports.matrix import render_matrix
from reports.records import TestRecord
from reports.redact import REDACTED, redact
from reports.render import write_artefacts
from reports.results import build_results
from spec.catalogue import load_catalogue

ACCESS_KEY = "AKIAPLANTED7Q2XK4M9Z"
SECRET_KEY = "plantedSecret/K7MDENG+bPxRfiCYzz4Wq1u9"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEPlantedSessionToken0a1b2c3d4e5f"
SIGNATURE = "a7c3e1f0d9b8planted6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3"
CUSTOM_ATTRIBUTES = "planted-custom-attributes-c0ffee-77"
PLANTED = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, SIGNATURE, CUSTOM_ATTRIBUTES)


def planted_evidence() -> dict:
    evidence = wire_evidence(200, custom_attributes=CUSTOM_ATTRIBUTES)
    evidence["request"]["headers"].update(
        {
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260302/us-east-1/"
                f"sagemaker/aws4_request, SignedHeaders=host;x-amz-date;"
                f"x-amz-security-token, Signature={SIGNATURE}"
            ),
            "X-Amz-Security-Token": SESSION_TOKEN,
        }
    )
    evidence["observations"].append(
        {
            "kind": "probe-record",
            "headers": [["X-Amzn-SageMaker-Custom-Attributes", CUSTOM_ATTRIBUTES]],
            "body_preview": f'{{"X-Amzn-SageMaker-Custom-Attributes": "{CUSTOM_ATTRIBUTES}"}}',
        }
    )
    evidence["observations"].append(
        {
            "kind": "s3-object",
            "uri": (
                f"https://bucket.s3.amazonaws.com/out/a.out?X-Amz-Credential={ACCESS_KEY}%2F2026"
                f"&X-Amz-Security-Token={SESSION_TOKEN}&X-Amz-Signature={SIGNATURE}"
            ),
        }
    )
    evidence["reproduction"]["boto3"] += (
        f'\nsession = boto3.Session(aws_access_key_id="{ACCESS_KEY}", '
        f'aws_secret_access_key="{SECRET_KEY}", aws_session_token="{SESSION_TOKEN}")'
    )
    evidence["reproduction"]["curl"] += (
        f" -H 'X-Amz-Security-Token: {SESSION_TOKEN}' --user '{ACCESS_KEY}:{SECRET_KEY}'"
    )
    return evidence


def planted_records() -> list[TestRecord]:
    return [
        TestRecord(
            "conformance/checks/test_wire.py::test_202",
            ("IEA-WIRE-001",),
            "failed",
            1.0,
            message=f"sent CustomAttributes={CUSTOM_ATTRIBUTES!r}; got 200",
            evidence=planted_evidence(),
            example=f"test_202(request={{'CustomAttributes': '{CUSTOM_ATTRIBUTES}'}})",
        ),
        TestRecord(
            "conformance/checks/test_model.py::test_verbatim",
            ("IEA-HDR-002",),
            "error",
            2.0,
            message=f"probe saw {CUSTOM_ATTRIBUTES} but S3 failed",
            evidence={"observed": f"AWS_SECRET_ACCESS_KEY={SECRET_KEY}"},
        ),
    ]


def test_no_planted_secret_reaches_any_artefact(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    run = sample_run()
    run.target["urls"]["s3"] = f"http://127.0.0.1:1/?X-Amz-Security-Token={SESSION_TOKEN}"
    results = build_results(run, planted_records(), load_catalogue())
    paths = write_artefacts(results, tmp_path / "report")
    markdown, html = render_matrix([results, results])
    (tmp_path / "matrix.md").write_text(markdown)
    (tmp_path / "matrix.html").write_text(html)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == len(paths) + 2
    for path in written:
        data = path.read_bytes()
        for secret in PLANTED:
            assert secret.encode() not in data, f"{secret!r} leaked into {path.name}"
        if path.name in {"results.json", "junit.xml", "report.html"}:
            assert REDACTED.encode() in data  # the evidence is there, redacted


def test_redaction_keeps_what_is_not_secret():
    evidence = redact(planted_evidence())
    headers = evidence["request"]["headers"]
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=[REDACTED]")
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token" in headers["Authorization"]
    assert headers["X-Amzn-SageMaker-InputLocation"].startswith("s3://conformance-inputs/")
    assert '--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"' in evidence["reproduction"]["curl"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("X-Amzn-SageMaker-Custom-Attributes: a=b; c=d", "X-Amzn-SageMaker-Custom-Attributes: "),
        ('{"CustomAttributes": "say \\"hi\\" x"}', '{"CustomAttributes": ""}'),
        ("aws_secret_access_key = abc/def+ghi123", "aws_secret_access_key = "),
        (
            "GET /o?X-Amz-Signature=0a1b2c&X-Amz-Date=20260101",
            "GET /o?X-Amz-Signature=&X-Amz-Date=20260101",
        ),
        ("Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer "),
    ],
)
def test_free_text_forms_are_redacted(text, kept):
    redacted = redact(text)
    assert REDACTED in redacted
    assert redacted.replace(REDACTED, "") == kept


def test_explicit_secrets_are_removed_anywhere():
    assert redact({"a": ["x my-own-secret-1 y"]}, secrets=["my-own-secret-1"]) == {
        "a": [f"x {REDACTED} y"]
    }


@given(test_records())
def test_redaction_is_idempotent(record):
    once = redact(record.to_dict())
    assert redact(once) == once


@given(
    secret=st.text(
        alphabet=string.ascii_letters + string.digits + "/+=-_.", min_size=8, max_size=40
    ),
    header=st.sampled_from(
        [
            "Authorization",
            "X-Amz-Security-Token",
            "x-amz-security-token",
            "X-Amzn-SageMaker-Custom-Attributes",
            "CustomAttributes",
        ]
    ),
    before=st.text(max_size=10),
    after=st.text(max_size=10),
)
def test_a_sensitive_header_value_is_removed_everywhere_it_recurs(secret, header, before, after):
    evidence = {
        "request": {"headers": {header: secret}},
        "reproduction": {"curl": f"curl -d '{before}{secret}{after}'"},
        "observations": [{"kind": "note", "text": f"{before}{secret}{after}"}],
    }
    assert secret not in json.dumps(redact(evidence))


def test_redacting_twice_keeps_the_signed_headers_evidence():
    once = redact(planted_evidence())
    assert redact(once) == once
    assert "SignedHeaders=" in once["request"]["headers"]["Authorization"]


def test_a_secret_echoed_json_escaped_in_a_body_is_redacted_too() -> None:
    secret = 'tenant="a\tb" key-4fQ9zK'
    body = json.dumps({"echo": secret})  # the secret reads JSON-escaped inside it
    assert secret not in body
    redacted = redact({"body": body}, secrets=[secret])
    assert json.dumps(secret)[1:-1] not in redacted["body"]
    assert REDACTED in redacted["body"]
