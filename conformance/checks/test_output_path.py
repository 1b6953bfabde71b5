"""S3OutputPathExtension and Filename: where the output lands when the caller says."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given

from conformance.checks.support import require_accepted
from conformance.depth import hypothesis_check
from conformance.observe import parse_location
from conformance.probe import new_tag, probe_payload
from conformance.session import ConformanceSession
from conformance.violations import Checks, require
from strategies.values import filenames, s3_output_path_extensions


def _unique_extension(generated: str) -> str:
    # A fresh first segment keeps every example's output apart (IEA-OUT-002 is not
    # ours to break) and keeps the extension valid: it cannot start with s3:/https:.
    return f"{uuid.uuid4().hex[:8]}/{generated}"[:512].rstrip("/") or uuid.uuid4().hex


@pytest.mark.behaviour("IEA-PATH-001")
def test_the_extension_is_appended_to_the_output_path(
    conformance_session: ConformanceSession,
) -> None:
    session = conformance_session
    config = session.async_config
    assert config is not None

    @hypothesis_check("outcome")
    @given(generated=s3_output_path_extensions())
    def check(generated: str) -> None:
        extension = _unique_extension(generated)
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("extension")),
            extra_params={"S3OutputPathExtension": extension},
        )
        require_accepted(exchange, purpose="a request with S3OutputPathExtension")
        expected_prefix = config.s3_output_path.rstrip("/") + "/" + extension.strip("/") + "/"
        location = parse_location(exchange.output_location)
        require(
            location is not None and location.is_under(expected_prefix),
            "IEA-PATH-001",
            expected=f"an OutputLocation under {expected_prefix}",
            observed=f"OutputLocation {exchange.output_location!r}",
            exchange=exchange,
        )
        outcome = session.wait_for_outcome(exchange)
        require(
            outcome.output is not None,
            "IEA-PATH-001",
            expected=f"the output object written at {exchange.output_location}",
            observed=f"outcome {outcome.kind}",
            exchange=exchange,
            observations=outcome.to_evidence(),
        )

    check()


@pytest.mark.behaviour("IEA-PATH-002", "IEA-PATH-003")
def test_filename_names_the_output_object(conformance_session: ConformanceSession) -> None:
    session = conformance_session
    config = session.async_config
    assert config is not None

    @hypothesis_check("outcome")
    @given(filename=filenames())
    def check(filename: str) -> None:
        extension = uuid.uuid4().hex[:12]
        exchange = session.invoke_probe(
            probe_payload(tag=new_tag("filename")),
            extra_params={"Filename": filename, "S3OutputPathExtension": extension},
        )
        require_accepted(exchange, purpose="a request with Filename")
        location = parse_location(exchange.output_location)
        checks = Checks()
        checks.require(
            location is not None and location.key.rsplit("/", 1)[-1] == filename,
            "IEA-PATH-002",
            expected=f"an output object named {filename!r}",
            observed=f"OutputLocation {exchange.output_location!r}",
            exchange=exchange,
        )
        failure = parse_location(exchange.failure_location)
        if failure is not None:
            checks.require(
                f"/{extension}/" in f"/{failure.key}",
                "IEA-PATH-003",
                expected=f"the extension {extension!r} in the FailureLocation too (informational)",
                observed=f"FailureLocation {exchange.failure_location!r}",
                exchange=exchange,
            )
        checks.done()

    check()
