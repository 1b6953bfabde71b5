"""The order checks run in: those that read a slow scenario last (first under xdist)."""

from __future__ import annotations

import pytest

from conformance.options import behaviours
from conformance.xdist_relay import is_xdist_worker


def _wave(item: pytest.Item) -> tuple[int, str]:
    """Checks that read a slow scenario run last, the others keep their order.

    A scenario starts before the first check and holds the endpoint's workers;
    its checks only wait for its observation, so they wait least at the end.
    Under pytest-xdist they come first instead: the worker they are sent to
    starts the scenario at once and waits for it while the others run the rest.
    """
    marker = item.get_closest_marker("scenario") if behaviours(item) else None
    if marker is None:
        return (0, "")
    # Grouped by scenario name (saturation, the slow one, sorts first).
    return (-1 if is_xdist_worker(item.config) else 1, str(marker.args[0]))


def order(items: list[pytest.Item], judged: list[pytest.Item]) -> None:
    """Sort ``items`` in place and group each scenario's checks for xdist."""
    # Stable, and the same in every xdist worker (they must agree on the order).
    items.sort(key=_wave)
    for item in judged:
        for marker in item.iter_markers("scenario"):
            # For --dist loadgroup: one xdist worker would run every check of a
            # scenario, so it runs once (each worker has its own embedded stack).
            # xdist 3.8 with pytest 9 ignores the group (it renames item._nodeid,
            # which pytest 9 no longer reads); --dist load then relies on the order.
            item.add_marker(pytest.mark.xdist_group(f"scenario-{marker.args[0]}"))
