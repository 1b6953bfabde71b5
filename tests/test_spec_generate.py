"""The committed document matches botocore, and drift is caught and shown as a diff."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conformance_cli.main import main
from spec.generate import (
    DOCUMENT_PATH,
    drift,
    generate,
    load_service_model,
    render,
)
from spec.openapi_build import OPERATION, Json


def with_extra_member(model: Json, name: str, header: str, shape: Json | None = None) -> Json:
    """A copy of ``model`` whose InvokeEndpointAsync input has one more header member.

    What drift looks like: the tests below prove it is caught.
    """
    changed = copy.deepcopy(model)
    shape_name = f"{name}Header"
    changed["shapes"][shape_name] = shape or {"type": "string", "max": 64}
    input_name = changed["operations"][OPERATION]["input"]["shape"]
    changed["shapes"][input_name]["members"][name] = {
        "shape": shape_name,
        "location": "header",
        "locationName": header,
        "documentation": f"<p>{name}.</p>",
    }
    return changed


def test_committed_document_matches_installed_botocore() -> None:
    ok, diff = drift()
    assert ok, diff


def test_generation_is_deterministic() -> None:
    assert render(generate()) == render(generate())


def test_drift_shows_a_new_member(tmp_path: Path) -> None:
    committed = tmp_path / "openapi.json"
    committed.write_text(DOCUMENT_PATH.read_text())
    changed = with_extra_member(load_service_model(), "PriorityClass", "X-Amzn-SageMaker-Priority")
    ok, diff = drift(changed, committed)
    assert not ok
    assert diff.startswith("--- openapi.json (committed)")
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+")]
    assert '"name": "X-Amzn-SageMaker-Priority",' in added
    assert '"x-revision": "2026"' in added  # an unknown member is taken as current


def test_drift_ignores_the_botocore_version_alone(tmp_path: Path) -> None:
    committed = tmp_path / "openapi.json"
    committed.write_text(render(generate(botocore_version_="0.0.0")))
    assert drift(path=committed) == (True, "")


def test_missing_document_is_drift(tmp_path: Path) -> None:
    ok, diff = drift(path=tmp_path / "absent.json")
    assert not ok and "python -m spec.generate" in diff


def test_cli_check_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["spec", "check"]) == 0
    assert "matches" in capsys.readouterr().out
    import spec.generate as generate_module

    original = generate_module.load_service_model
    monkeypatch.setattr(
        generate_module,
        "load_service_model",
        lambda: with_extra_member(original(), "Priority", "X-Amzn-SageMaker-Priority"),
    )
    assert main(["spec", "check"]) == 1
    out = capsys.readouterr().out
    assert "differs" in out
    assert '"x-member": "Priority",' in [line[1:].strip() for line in out.splitlines()]
