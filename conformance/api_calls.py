"""How many S3, SQS, SNS and SageMaker calls the suite itself made: real money on AWS.

The counter hooks botocore's ``before-send`` event of each of the session's clients,
so every HTTP attempt is counted (a retry is billed too), per service and operation.
The InvokeEndpointAsync requests go through the suite's own signed client and are
counted there (``Invoker.sent``); what the target does with S3 and SNS is its own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any


class ApiCallCounter:
    """Counts the calls of every client it is attached to."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def attach(self, client: Any) -> Any:
        """Count ``client``'s calls from now on; returns the client."""
        client.meta.events.register("before-send", self._count)
        return client

    def _count(self, event_name: str = "", **_: Any) -> None:
        # "before-send.<service id>.<Operation>"
        _, _, rest = event_name.partition(".")
        service, _, operation = rest.partition(".")
        with self._lock:
            self._counts[(service or "?", operation or "?")] += 1

    def total(self, service: str | None = None) -> int:
        with self._lock:
            return sum(n for (s, _), n in self._counts.items() if service in (None, s))

    def to_dict(self) -> dict[str, Any]:
        """``{"total": n, "services": {service: {"total": n, "operations": {op: n}}}}``."""
        with self._lock:
            counts = dict(self._counts)
        services: dict[str, dict[str, Any]] = {}
        for (service, operation), count in sorted(counts.items()):
            entry = services.setdefault(service, {"total": 0, "operations": {}})
            entry["total"] += count
            entry["operations"][operation] = count
        return {"total": sum(counts.values()), "services": services}


def merge_counts(documents: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Several counters' ``to_dict()`` summed (the workers of an xdist run)."""
    services: dict[str, dict[str, Any]] = {}
    total = 0
    for document in documents:
        total += int(document.get("total") or 0)
        for service, entry in (document.get("services") or {}).items():
            merged = services.setdefault(service, {"total": 0, "operations": {}})
            merged["total"] += int(entry.get("total") or 0)
            for operation, count in (entry.get("operations") or {}).items():
                merged["operations"][operation] = merged["operations"].get(operation, 0) + int(
                    count
                )
    return {"total": total, "services": dict(sorted(services.items()))}
