"""What the target claims, known before any network call, and skipping what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.expectations import load_expectations
from conformance.options import behaviours
from conformance.run_state import RunState
from conformance.target import ConfigurationError, resolve_target
from spec.catalogue import load_catalogue
from spec.revisions import includes


def resolve_claims(state: RunState) -> None:
    """The target's claims, known before any network call (for skipping)."""
    if state.claimed_target is not None:
        return
    placeholder = None
    if state.embedded:
        placeholder = {
            "CONFORMANCE_ENDPOINT_NAME": "embedded",
            "CONFORMANCE_INPUT_S3": "s3://embedded/inputs",
        }
    try:
        state.claimed_target = resolve_target(state.options, embedded_env=placeholder)
        state.expectations = load_expectations(state.claimed_target.expectations)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from exc


def claimed(state: RunState, behaviour: Any) -> bool:
    return behaviour.profile in state.profiles and includes(state.revision, behaviour.revision)


def unclaimed_reason(state: RunState, catalogue: Any, ids: tuple[str, ...]) -> str:
    behaviour = catalogue.get(ids[0])
    if behaviour.profile not in state.profiles:
        return f"the target does not claim profile {behaviour.profile!r}"
    return (
        f"{behaviour.id} arrived in revision {behaviour.revision}; "
        f"the target claims {state.revision}"
    )


def skip_unclaimed(state: RunState, judged: list[pytest.Item]) -> None:
    """Unknown IDs stop the run; checks of nothing the target claims are skipped."""
    resolve_claims(state)
    catalogue = load_catalogue()
    known = set(catalogue.ids())
    for item in judged:
        ids = behaviours(item)
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid} cites unknown behaviour IDs: {', '.join(unknown)}"
            )
        if not [i for i in ids if claimed(state, catalogue.get(i))]:
            item.add_marker(pytest.mark.skip(reason=unclaimed_reason(state, catalogue, ids)))
        elif item.get_closest_marker("needs_probe") and not state.probe:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs the probe model (run with --probe against a probe endpoint); "
                    "a run without the probe is not a conformance claim"
                )
            )
