"""`conformance load` end to end: a small Locust burst against the embedded reference
(loopback, started here), and the two dispatch mutants only a burst notices.

The 1-in-1,000 versions need 1,000+ requests; here the mutants break 1 in 40 of a
120-request burst so the test stays within the CI budget (tox -e load runs the big ones).
"""

from __future__ import annotations

import dataclasses

from mutants.load import DropsOneIn, RunsOneInTwice

from conformance_cli.commands.load import measure
from reference.parts import DEFAULT_PARTS

BURST = {"count": 120, "users": 8, "spawn_rate": 50.0, "budget": 90.0,
         "max_concurrency": 4, "settle": 8.0}


def verdicts(**replaced: object) -> tuple[dict[str, dict], dict]:
    parts = dataclasses.replace(DEFAULT_PARTS, **replaced) if replaced else None
    findings, figures = measure(**BURST, parts=parts)
    return {f.name: f.to_dict() for f in findings}, figures


def test_the_reference_passes_a_burst() -> None:
    got, figures = verdicts()
    assert figures["accepted"] == 120
    statuses = {name: v["status"] for name, v in got.items()}
    assert statuses == {
        "exactly-one-outcome": "pass", "content-matches": "pass", "ran-at-most-once": "pass",
        "concurrency-held": "pass", "one-notification": "untested",
        "rejected-left-nothing": "pass",
    }, got
    assert got["exactly-one-outcome"]["counts"]["lost"] == 0


def test_a_dispatcher_dropping_one_in_forty_is_judged_lost() -> None:
    got, _ = verdicts(dispatcher=DropsOneIn(every=40))
    assert got["exactly-one-outcome"]["status"] == "fail"
    assert got["exactly-one-outcome"]["counts"]["lost"] == 3


def test_a_dispatcher_running_one_in_forty_twice_is_judged_duplicated() -> None:
    got, _ = verdicts(dispatcher=RunsOneInTwice(every=40))
    assert got["ran-at-most-once"]["status"] == "fail"
    # Every 40th dispatch runs twice; a re-run the burst ends before is not seen.
    assert 1 <= got["ran-at-most-once"]["counts"]["duplicated"] <= 3
    assert got["exactly-one-outcome"]["status"] == "pass"


def test_a_non_positive_count_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    from conformance_cli.main import main

    assert main(["load", "--count", "0"]) == 2
    assert "--count" in capsys.readouterr().err
