"""The plugin's command-line options and markers, and the options as one dict.

``conformance run`` re-declares these options for its own parser
(``conformance_cli.commands.suite_options`` reads ``add_options``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import depth

MARKER = "behaviour"

# The options that describe the target, as ``resolve_target`` reads them.
TARGET_OPTIONS = (
    "target",
    "endpoint_name",
    "scenario_endpoint_name",
    "input_s3",
    "revision",
    "profiles",
    "clock_scale",
    "outcome_deadline",
    "probe",
    "expectations",
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "InvokeEndpointAsync conformance suite")
    group.addoption(
        "--target",
        help="target file (TOML), a shipped target name (reference, moto), or 'embedded' "
        "(the default when no target is named anywhere)",
    )
    group.addoption("--endpoint-name", help="the async endpoint to invoke")
    group.addoption(
        "--scenario-endpoint-name",
        help="a second endpoint of the same config for the slow scenarios (TTL, concurrency, "
        "timeout), so their hold does not delay the other checks; default: the main endpoint",
    )
    group.addoption("--input-s3", help="s3://bucket/prefix where the suite may write inputs")
    group.addoption("--revision", help="API revision the target claims (default: current)")
    group.addoption(
        "--profiles",
        help="comma-separated profiles the target claims (default: all but the opt-in clients)",
    )
    group.addoption("--clock-scale", type=float, help="target clock scale, e.g. 0.05")
    group.addoption(
        "--outcome-deadline",
        type=float,
        help="seconds to wait for a request's outcome in S3 on an idle endpoint (default 30); "
        "slow scenarios add their hold time while they run",
    )
    group.addoption(
        "--probe",
        dest="probe",
        action="store_true",
        default=None,
        help="the endpoint's model is the probe (default)",
    )
    group.addoption(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="the endpoint's model is not the probe: checks that need it are skipped",
    )
    group.addoption("--expectations", help="expectations file: behaviour -> reason, link")
    group.addoption(
        "--depth",
        choices=depth.DEPTHS,
        default="standard",
        help="how many Hypothesis examples per check (default: standard)",
    )
    group.addoption("--conformance-results-json", help="write the results document here")


def add_markers(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "behaviour(*ids): the catalogue behaviours this check judges. "
        "Example: @pytest.mark.behaviour('IEA-WIRE-001')",
    )
    config.addinivalue_line(
        "markers",
        "needs_probe: the check reads what the probe model recorded; skipped with --no-probe",
    )
    config.addinivalue_line(
        "markers",
        "scenario(name): the check reads a slow scenario that starts early and runs "
        "concurrently with the rest. Example: @pytest.mark.scenario('ttl')",
    )


def target_options(config: pytest.Config) -> dict[str, Any]:
    """The target's options as given on the command line (None: not given)."""
    return {name: config.getoption(name) for name in TARGET_OPTIONS}


def behaviours(item: pytest.Item) -> tuple[str, ...]:
    """The behaviour IDs an item's markers name, in order, once each."""
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(a) for a in marker.args)
    return tuple(dict.fromkeys(ids))
