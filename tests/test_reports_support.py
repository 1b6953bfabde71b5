"""Builders and Hypothesis strategies for the ``reports`` tests.

No tests here. ``python tests/test_reports_support.py`` rewrites the sample
documents in ``tests/fixtures/`` from the builders (a test checks they are current).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from reports.records import RunInfo, TestRecord
from reports.results import Results, build_results
from reports.status import OUTCOMES
from spec.catalogue import PROFILES, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Fake credentials, shaped like real ones; the redaction tests plant their own.
FAKE_ACCESS_KEY = "AKIAEXAMPLEFIXTURE01"
FAKE_SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"


def sample_run(
    *,
    name: str = "sample",
    implementation: tuple[str, str] = ("sample", "1.0"),
    revision: str = "2026-02",
    profiles: tuple[str, ...] | None = None,
    exit_code: int = 1,
) -> RunInfo:
    claimed = profiles or ("core", "validation", "model", "failure", "output-path", "inline-body")
    return RunInfo(
        suite_version="0.1.0",
        spec_revision="2026",
        botocore_version="1.44.8",
        target={
            "name": name,
            "endpoint_name": "conformance-probe",
            "urls": {
                "sagemaker-runtime": "http://127.0.0.1:45123",
                "s3": "http://127.0.0.1:45124",
            },
            "region": "us-east-1",
            "revision": revision,
            "profiles": list(claimed),
            "probe": True,
            "clock_scale": 0.05,
            "implementation": {"name": implementation[0], "version": implementation[1]},
        },
        started_at="2026-03-02T10:15:00Z",
        finished_at="2026-03-02T10:16:12.500000Z",
        duration=72.5,
        seed="271828182845904523536028747135266249775",
        depth="standard",
        pytest_exit_code=exit_code,
        command=f"conformance run --target targets/{name}.toml --hypothesis-seed=2718",
    )


def node(module: str, name: str) -> str:
    return f"conformance/checks/test_{module}.py::{name}"


def passed(behaviour_id: str, duration: float = 0.12) -> TestRecord:
    area = behaviour_id.split("-")[1].lower()
    return TestRecord(
        node(area, f"test_{behaviour_id.lower().replace('-', '_')}"),
        (behaviour_id,),
        "passed",
        duration,
    )


def wire_evidence(status: int, *, custom_attributes: str = "trace=fixture-0001") -> dict[str, Any]:
    """A realistic evidence dict: request, response, observation, reproduction."""
    auth = (
        f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20260302/us-east-1/sagemaker/"
        f"aws4_request, SignedHeaders=host;x-amz-date, Signature={FAKE_SIGNATURE}"
    )
    url = "http://127.0.0.1:45123/endpoints/conformance-probe/async-invocations"
    return {
        "expected": "HTTP 202 Accepted",
        "observed": f"HTTP {status}",
        "request": {
            "method": "POST",
            "url": url,
            "headers": {
                "Authorization": auth,
                "X-Amz-Date": "20260302T101501Z",
                "X-Amzn-SageMaker-InputLocation": "s3://conformance-inputs/run-1/in-0001.json",
                "X-Amzn-SageMaker-Custom-Attributes": custom_attributes,
            },
            "body_preview": "",
            "body_length": 0,
        },
        "response": {
            "status": status,
            "headers": {
                "Content-Type": "application/json",
                "X-Amzn-SageMaker-OutputLocation": "s3://out/run-1/a.out",
            },
            "body_preview": '{"InferenceId": "6f1c-fixture"}',
        },
        "observations": [
            {
                "kind": "s3-object",
                "uri": "s3://out/run-1/a.out",
                "size": 17,
                "body_preview": '{"echo": "<tag>"}',
            },
            {"kind": "note", "text": "the 202 must come back before the probe finishes"},
        ],
        "reproduction": {
            "boto3": (
                'import boto3\nclient = boto3.client("sagemaker-runtime", '
                'endpoint_url="http://127.0.0.1:45123", region_name="us-east-1")\n'
                'client.invoke_endpoint_async(EndpointName="conformance-probe", '
                'InputLocation="s3://conformance-inputs/run-1/in-0001.json", '
                f'CustomAttributes="{custom_attributes}")'
            ),
            "curl": (
                f"curl -X POST '{url}' --aws-sigv4 'aws:amz:us-east-1:sagemaker' "
                '--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" '
                "-H 'X-Amzn-SageMaker-InputLocation: s3://conformance-inputs/run-1/in-0001.json' "
                f"-H 'X-Amzn-SageMaker-Custom-Attributes: {custom_attributes}'"
            ),
        },
    }


def mixed_records() -> list[TestRecord]:
    """Every status at least once; see ``results-mixed.json``."""
    special = {
        "IEA-WIRE-001",
        "IEA-VAL-003",
        "IEA-VAL-017",
        "IEA-HDR-002",
        "IEA-OUT-007",
        "IEA-ID-004",
        "IEA-OUT-006",
        "IEA-VAL-025",
        "IEA-FAIL-004",
    }
    records = [passed(b.id) for b in load_catalogue() if b.id not in special]
    records += [
        TestRecord(
            node("wire", "test_valid_request_is_answered_202"),
            ("IEA-WIRE-001",),
            "failed",
            0.84,
            message="IEA-WIRE-001: a valid request was answered 200, expected 202",
            evidence=wire_evidence(200),
        ),
        TestRecord(
            node("validation", "test_too_long_content_type_is_rejected"),
            ("IEA-VAL-003",),
            "failed",
            3.2,
            message="IEA-VAL-003: ContentType of 1025 characters was accepted with 202",
            evidence={"expected": "HTTP 400 ValidationError", "observed": "HTTP 202"},
            example="test_too_long_content_type_is_rejected(\n"
            "    request={'EndpointName': 'conformance-probe',\n"
            "             'ContentType': 'a' * 1025},\n)",
        ),
        TestRecord(
            node("validation", "test_ttl_out_of_range_is_rejected"),
            ("IEA-VAL-017",),
            "failed",
            1.1,
            message="IEA-VAL-017: RequestTTLSeconds=59 accepted with 202",
            evidence={"expected": "HTTP 400", "observed": "HTTP 202"},
            example="test_ttl_out_of_range_is_rejected(ttl=59)",
        ),
        TestRecord(
            node("validation", "test_ttl_out_of_range_leaves_no_output"),
            ("IEA-VAL-017",),
            "error",
            30.0,
            message="harness: S3 listing at http://127.0.0.1:45124 timed out after 30 s",
            evidence={"observations": [{"kind": "note", "text": "S3 ListObjectsV2 timed out"}]},
        ),
        passed("IEA-HDR-002"),
        TestRecord(
            node("model", "test_custom_attributes_verbatim_from_s3_input"),
            ("IEA-HDR-002",),
            "error",
            12.0,
            message="harness: the probe record never appeared in S3 within 12 s",
            evidence=wire_evidence(202, custom_attributes="trace=fixture-0002"),
        ),
        TestRecord(
            node("output", "test_output_named_uuid_out"),
            ("IEA-OUT-007",),
            "xfailed",
            0.3,
            message="key was results/0001.json",
            reason="the sample names output objects by sequence number",
            link="https://example.invalid/issues/7",
        ),
        TestRecord(
            node("id", "test_generated_id_is_uuid"),
            ("IEA-ID-004",),
            "xpassed",
            0.2,
            reason="ids used to be sequence numbers",
        ),
        TestRecord(
            node("model", "test_output_content_type"),
            ("IEA-OUT-006",),
            "skipped",
            0.0,
            reason="this S3 endpoint does not return object Content-Type",
        ),
        TestRecord(node("wire", "test_target_is_reachable"), (), "passed", 0.05),
    ]
    return records


def mixed_results() -> Results:
    return build_results(sample_run(), mixed_records(), load_catalogue())


def reference_results() -> Results:
    """A conformant run: every behaviour of every profile at the current revision passes."""
    catalogue = load_catalogue()
    records = [passed(b.id, 0.05) for b in catalogue if b.id != "IEA-PATH-003"]
    records.append(
        TestRecord(
            node("path", "test_extension_applies_to_failure_path"),
            ("IEA-PATH-003",),
            "xfailed",
            0.4,
            reason="FACTS.md: open question; the reference does not",
        )
    )
    run = sample_run(
        name="reference",
        implementation=("reference", "0.1.0"),
        revision="2026",
        profiles=tuple(dict.fromkeys(b.profile for b in catalogue)),
        exit_code=0,
    )
    return build_results(run, records, catalogue)


def moto_results() -> Results:
    """A non-conformant run shaped like moto 5.2.x (200 instead of 202, no validation)."""
    catalogue = load_catalogue()
    broken = {"IEA-WIRE-001", "IEA-OUT-001", "IEA-OUT-002", "IEA-OUT-003", "IEA-OUT-005"}
    records = []
    for b in catalogue:
        if b.profile not in {"core", "validation"}:
            continue
        if b.id in broken or (b.profile == "validation" and b.level == "MUST"):
            records.append(
                TestRecord(
                    node(b.area.lower(), f"test_{b.id.lower()}"),
                    (b.id,),
                    "failed",
                    0.2,
                    message=f"{b.id}: moto accepted it",
                    evidence={"expected": "400", "observed": "200"},
                )
            )
        else:
            records.append(passed(b.id, 0.04))
    run = sample_run(
        name="moto",
        implementation=("moto", "5.2.1"),
        revision="2026",
        profiles=("core", "validation"),
    )
    return build_results(run, records, catalogue)


SAMPLES = {
    "results-mixed.json": mixed_results,
    "results-reference.json": reference_results,
    "results-moto.json": moto_results,
}


# --- Hypothesis strategies -------------------------------------------------


def _short_text() -> st.SearchStrategy[str]:
    return st.text(max_size=30)


def headers() -> st.SearchStrategy[Any]:
    names = (
        st.sampled_from(
            [
                "Authorization",
                "Content-Type",
                "X-Amz-Security-Token",
                "X-Amzn-SageMaker-Custom-Attributes",
                "X-Custom",
            ]
        )
        | _short_text()
    )
    return st.dictionaries(names, _short_text(), max_size=4) | st.lists(
        st.tuples(names, _short_text()).map(list), max_size=3
    )


def evidence_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Evidence as the plugin records it: every key optional."""
    observation = st.fixed_dictionaries(
        {"kind": st.sampled_from(["s3-object", "notification", "probe-record", "note"])},
        optional={"uri": _short_text(), "text": _short_text(), "size": st.integers(0, 10**9)},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "expected": _short_text(),
            "observed": _short_text(),
            "request": st.fixed_dictionaries(
                {},
                optional={
                    "method": st.sampled_from(["POST", "GET"]),
                    "url": _short_text(),
                    "headers": headers(),
                    "body_preview": _short_text(),
                    "body_length": st.integers(0, 10**6),
                },
            ),
            "response": st.fixed_dictionaries(
                {},
                optional={
                    "status": st.none() | st.integers(100, 599),
                    "headers": headers(),
                    "body_preview": _short_text(),
                },
            ),
            "observations": st.lists(observation, max_size=3),
            "reproduction": st.fixed_dictionaries(
                {}, optional={"boto3": _short_text(), "curl": _short_text()}
            ),
        },
    )


def test_records(behaviour_ids: list[str] | None = None) -> st.SearchStrategy[TestRecord]:
    """Any record the plugin may write; behaviours drawn from ``behaviour_ids`` plus unknowns."""
    ids = (
        st.sampled_from(behaviour_ids)
        if behaviour_ids
        else st.from_regex(r"IEA-[A-Z]{2,5}-[0-9]{3}", fullmatch=True)
    )
    return st.builds(
        TestRecord,
        nodeid=st.from_regex(
            r"conformance/checks/test_[a-z]{1,8}\.py::test_[a-z_]{1,12}", fullmatch=True
        ),
        behaviours=st.lists(ids | st.just("IEA-NOPE-999"), max_size=3).map(tuple),
        outcome=st.sampled_from(OUTCOMES),
        duration=st.floats(0, 1e4, allow_nan=False),
        message=_short_text(),
        evidence=st.none() | evidence_dicts(),
        example=st.none() | _short_text(),
        reason=_short_text(),
        link=_short_text(),
    )


test_records.__test__ = False  # type: ignore[attr-defined]


def _api_call_counts(
    operations: dict[str, dict[str, int]],
) -> dict[str, object]:
    services = {
        service: {"total": sum(ops.values()), "operations": ops}
        for service, ops in operations.items()
    }
    return {"total": sum(e["total"] for e in services.values()), "services": services}


API_CALLS = st.none() | st.dictionaries(
    st.sampled_from(["s3", "sqs", "sns", "sagemaker"]),
    st.dictionaries(
        st.sampled_from(["GetObject", "ListObjectsV2", "ReceiveMessage", "DeleteObjects"]),
        st.integers(0, 10_000),
        max_size=4,
    ),
    max_size=4,
).map(_api_call_counts)


def run_infos(profiles: list[str] | None = None) -> st.SearchStrategy[RunInfo]:
    timestamps = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    all_profiles = profiles or list(PROFILES)
    target = st.fixed_dictionaries(
        {
            "name": _short_text(),
            "revision": st.sampled_from(
                ["2021-08", "2023-01", "2023-04", "2026-02", "2026", "current"]
            ),
        },
        optional={
            "profiles": st.lists(st.sampled_from(all_profiles), unique=True),
            "endpoint_name": _short_text(),
            "region": st.just("us-east-1"),
            "urls": st.dictionaries(
                st.sampled_from(["s3", "sqs", "sagemaker-runtime"]), _short_text()
            ),
            "probe": st.booleans(),
            "clock_scale": st.floats(0.001, 1),
            "implementation": st.fixed_dictionaries(
                {"name": _short_text(), "version": _short_text()}
            ),
        },
    )
    return st.builds(
        RunInfo,
        suite_version=_short_text(),
        spec_revision=_short_text(),
        botocore_version=_short_text(),
        target=target,
        started_at=timestamps,
        finished_at=timestamps,
        duration=st.floats(0, 1e6, allow_nan=False),
        seed=_short_text(),
        depth=_short_text(),
        pytest_exit_code=st.integers(0, 5),
        command=_short_text(),
        api_calls=API_CALLS,
    )


def write_samples(directory: Path = FIXTURES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [make().write_json(directory / name) for name, make in SAMPLES.items()]


def load_sample(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


if __name__ == "__main__":
    for path in write_samples():
        print(path, path.stat().st_size, file=sys.stderr)
