"""The behaviour catalogue loads, validates, and keeps its invariants."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance_cli.main import main
from spec import revisions
from spec.catalogue import (
    CATALOGUE_PATH,
    LEVELS,
    PROFILES,
    SCHEMA_PATH,
    CatalogueError,
    load_catalogue,
    parse,
)
from spec.contract import BEHAVIOURS

ENTRY = """
[[behaviour]]
id = "{id}"
level = "{level}"
statement = "{statement}"
revision = "2021-08"
profile = "core"
source = "model: somewhere"
"""


def test_catalogue_loads_with_well_formed_unique_ids() -> None:
    catalogue = load_catalogue()
    ids = [b.id for b in catalogue.behaviours]
    assert len(catalogue) >= 40
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"IEA-[A-Z]+-\d{3}", i) for i in ids)
    statements = [" ".join(b.statement.lower().split()) for b in catalogue]
    assert len(statements) == len(set(statements))
    assert all(b.source.strip() for b in catalogue.musts())
    assert all("[open]" not in b.source for b in catalogue.musts())


def test_areas_are_numbered_from_one_without_gaps() -> None:
    by_area: dict[str, list[int]] = {}
    for behaviour in load_catalogue().behaviours:
        by_area.setdefault(behaviour.area, []).append(int(behaviour.id[-3:]))
    for area, numbers in by_area.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), area


def test_schema_enums_match_the_code() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())["$defs"]["behaviour"]["properties"]
    assert tuple(schema["profile"]["enum"]) == PROFILES
    assert tuple(schema["revision"]["enum"]) == revisions.REVISIONS
    assert tuple(schema["level"]["enum"]) == LEVELS


def test_every_profile_is_used_and_areas_cover_the_issue() -> None:
    catalogue = load_catalogue()
    assert {b.profile for b in catalogue} == set(PROFILES)
    assert {
        "WIRE",
        "VAL",
        "ID",
        "HDR",
        "OUT",
        "FAIL",
        "PATH",
        "BODY",
        "ASYNC",
        "TTL",
        "TMO",
        "CONC",
        "NOTIF",
        "AUTH",
    } <= {b.area for b in catalogue}


def test_validation_labels_name_validation_behaviours() -> None:
    catalogue = load_catalogue()
    labelled = set(BEHAVIOURS.values())
    # The patterns only non-ASCII or a TAB can break are labelled with the header-octet
    # rule's MUSTs (027..030), not with the SHOULDs asking for 400 itself (004..010, even).
    numbers = (1, 2, 3, 5, 7, 9, *range(11, 22), 24, 25, 27, 28, 29, 30)
    expected = {f"IEA-VAL-{n:03d}" for n in numbers}
    assert labelled == expected
    for behaviour_id in labelled:
        assert catalogue.get(behaviour_id).profile == "validation"


def test_accessors() -> None:
    catalogue = load_catalogue()
    behaviour = catalogue.get("IEA-VAL-001")
    assert behaviour.area == "VAL"
    assert "IEA-VAL-001" in catalogue
    assert catalogue.ids()[0] == "IEA-WIRE-001"
    assert all(b.level == "MUST" for b in catalogue.musts())
    old = catalogue.select(revision="2021-08")
    assert "IEA-BODY-001" not in {b.id for b in old}
    assert {b.profile for b in catalogue.select(profiles=["auth"])} == {"auth"}
    with pytest.raises(KeyError):
        catalogue.get("IEA-NOPE-001")
    with pytest.raises(AttributeError):
        behaviour.level = "MAY"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ENTRY.format(id="IEA-X-1", level="MUST", statement="Bad id here."), "entry 1 (IEA-X-1)"),
        (ENTRY.format(id="IEA-AB-001", level="MUSTN'T", statement="Bad level."), "'level'"),
        (
            ENTRY.format(id="IEA-AB-001", level="MUST", statement="One thing holds.")
            + ENTRY.format(id="IEA-AB-001", level="MUST", statement="Another thing."),
            "entry 2 (IEA-AB-001): duplicate ID",
        ),
        (
            ENTRY.format(id="IEA-AB-001", level="MUST", statement="One thing holds.")
            + ENTRY.format(id="IEA-AB-002", level="MAY", statement="One  thing holds."),
            "same statement as IEA-AB-001",
        ),
        ("[[behaviour]\nid=", "not valid TOML"),
    ],
)
def test_broken_catalogue_names_the_entry(text: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse(text)


def test_missing_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "none.toml")


def test_cli_views(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["spec", "behaviours", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == len(load_catalogue())
    assert main(["spec", "behaviours", "--profile", "auth"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| ID | Level |") and "IEA-AUTH-001" in out and "IEA-VAL-001" not in out
    assert main(["spec", "revisions"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("2026 (current)")
    assert main(["spec", "openapi", "--revision", "2021-08"]) == 0
    assert json.loads(capsys.readouterr().out)["info"]["x-revision"] == "2021-08"
    assert main(["spec", "openapi", "--revision", "1999"]) == 2
    assert "unknown API revision '1999'" in capsys.readouterr().err


def test_packaged_file_is_the_catalogue() -> None:
    assert CATALOGUE_PATH.name == "behaviours.toml" and CATALOGUE_PATH.exists()
