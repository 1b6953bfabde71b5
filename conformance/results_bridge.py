"""From the plugin's run state to the results document of ``reports``."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import botocore

from conformance import __version__, depth, sensitive
from conformance.reproduce import reproduce_command
from spec.catalogue import load_catalogue
from spec.revisions import CURRENT

if TYPE_CHECKING:
    from conformance.run_state import RunState


def write_results(state: RunState, path: Path, *, exitstatus: int, argv: Sequence[str]) -> None:
    from reports.abbreviate import EVIDENCE_DIR, EvidenceStore, abbreviate_document
    from reports.redact import redact
    from reports.results import RunInfo, TestRecord, build_results

    finished = dt.datetime.now(dt.UTC)
    target = state.target or state.claimed_target
    described: dict[str, Any] = target.describe() if target else {"name": "unresolved"}
    embedded = target is not None and target.embedded
    if state.target is None and state.worker_target:
        # pytest-xdist: the controller never talks to the target; a worker did.
        described = dict(state.worker_target)
        embedded = bool(described.pop("embedded", embedded))
    if state.async_config is not None:
        described["async_config"] = state.async_config.describe()
        described["instance_count"] = state.async_config.instance_count
    if state.outcomes:
        described["longest_wait"] = max(o.duration for o in state.outcomes)
    if state.expectations.implementation:
        described["implementation"] = {
            "name": state.expectations.implementation,
            "version": state.expectations.version,
        }
    elif embedded:
        described["implementation"] = {"name": "reference", "version": __version__}
    session = state.session
    if session is not None:
        described["invocations"] = session.invoker.sent
    elif state.worker_invocations:
        described["invocations"] = state.worker_invocations
    run = RunInfo(
        suite_version=__version__,
        spec_revision=CURRENT,
        botocore_version=botocore.__version__,
        target=described,
        started_at=state.started_at.isoformat(),
        finished_at=finished.isoformat(),
        duration=(finished - state.started_at).total_seconds(),
        seed=str(state.seed),
        depth=depth.current_depth(),
        pytest_exit_code=exitstatus,
        # `conformance run` passes the command the user typed; plain pytest has argv.
        command=reproduce_command(
            typed=os.environ.get("CONFORMANCE_COMMAND"),
            argv=argv,
            seed=str(state.seed),
            depth=depth.current_depth(),
        ),
    )
    records = [
        TestRecord(
            nodeid=o.nodeid,
            behaviours=(o.behaviour,),
            outcome=o.outcome,
            duration=o.duration,
            message=o.message,
            evidence=o.evidence,
            example=o.example,
            reason=o.reason,
            link=o.link,
        )
        for o in state.outcomes
    ]
    results = build_results(run, records, load_catalogue())
    document = redact(results.to_dict(), secrets=sensitive.registered())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Large and binary values stay readable: abbreviated here, in full next to the document.
    document = abbreviate_document(document, store=EvidenceStore(path.parent / EVIDENCE_DIR))
    path.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
