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
from spec.contract import BEHAVIOURS, HEADER_OCTET_RULE, KINDS, contract

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


def test_every_constraint_names_a_member_and_kind_of_the_contract() -> None:
    catalogue = load_catalogue()
    latest = contract(revisions.REVISIONS[-1])
    named = [(b, c) for b in catalogue for c in b.constraints]
    assert named
    for behaviour, constraint in named:
        member, kind = constraint.split(".")
        assert latest.has(member), constraint
        assert kind in KINDS, constraint
        assert behaviour.profile == "validation", behaviour.id
    # The table the strategies and checks read is the catalogue's, nothing added.
    assert dict(BEHAVIOURS) == {tuple(c.split(".")): b.id for b, c in named}
    # The patterns only non-ASCII or a TAB can break are labelled with the header-octet
    # rule's MUSTs, never with the SHOULDs asking for 400 itself.
    assert set(HEADER_OCTET_RULE) <= set(BEHAVIOURS.values())
    assert not set(HEADER_OCTET_RULE.values()) & set(BEHAVIOURS.values())


def test_schema_constraint_kinds_are_the_contract_kinds() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())["$defs"]["behaviour"]["properties"]
    pattern = schema["constraints"]["items"]["pattern"]
    assert re.search(r"\((.*)\)", pattern).group(1).split("|") == list(KINDS)  # type: ignore[union-attr]


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
        (
            ENTRY.format(id="IEA-AB-001", level="MUST", statement="One thing holds.")
            + 'constraints = ["Accept.max_length"]\n'
            + ENTRY.format(id="IEA-AB-002", level="MUST", statement="Another thing.")
            + 'constraints = ["Accept.max_length"]\n',
            "entry 2 (IEA-AB-002): constraint Accept.max_length is already judged by IEA-AB-001",
        ),
        (
            ENTRY.format(id="IEA-AB-001", level="MUST", statement="One thing holds.")
            + 'constraints = ["Accept.too_long"]\n',
            "entry 1 (IEA-AB-001) field 'constraints'",
        ),
        (
            ENTRY.format(id="IEA-AB-001", level="MUST", statement="One thing holds.")
            + 'preferred_answer = "IEA-AB-002"\n'
            + ENTRY.format(id="IEA-AB-002", level="MUST", statement="Another thing."),
            "entry 1 (IEA-AB-001): preferred_answer IEA-AB-002 is not a SHOULD",
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


def test_one_applicability_rule_says_why_a_behaviour_is_not_claimed() -> None:
    inline = load_catalogue().get("IEA-BODY-001")  # profile inline-body, revision 2026
    everything = PROFILES
    assert inline.not_claimed_reason(profiles=everything, revision="2026") == ""
    assert inline.claimed_by(profiles=everything, revision="current")
    assert inline.not_claimed_reason(profiles=("core",), revision="2026") == (
        "the target does not claim the 'inline-body' profile"
    )
    assert inline.not_claimed_reason(profiles=everything, revision="2023-04") == (
        "introduced in API revision 2026; the target implements 2023-04"
    )
    assert not inline.claimed_by(profiles=everything, revision="1999")  # unknown: covers nothing
