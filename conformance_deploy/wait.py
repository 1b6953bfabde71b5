"""Waiting for an endpoint to be InService: bounded polling with progress lines.

Creating a real endpoint takes minutes; the user sees each status change and a
heartbeat, and the wait ends at a deadline instead of hanging a CI job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from conformance_deploy.errors import EXIT_FAILED, DeployError

TRANSITIONAL = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack"})
HEARTBEAT_SECONDS = 60.0


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def wait_for_endpoint(
    describe: Callable[[], dict[str, Any]],
    *,
    name: str,
    timeout: float,
    interval: float = 15.0,
    out: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rerun_hint: str = "run deploy-probe again to keep waiting (it reuses what exists)",
) -> str:
    """Poll ``describe()`` (a DescribeEndpoint call) until the endpoint is InService.

    Returns the final status. Raises ``DeployError``: exit 2 when the endpoint
    failed (its FailureReason says what to fix), exit 1 at the deadline.
    """
    start = clock()
    deadline = start + timeout
    last_status = ""
    last_line = start
    while True:
        response = describe()
        status = str(response.get("EndpointStatus", "Unknown"))
        now = clock()
        elapsed = _clock_text(now - start)
        if status == "InService":
            out(f"  endpoint {name}: InService ({elapsed} elapsed)")
            return status
        if status == "Deleting":
            raise DeployError(
                f"endpoint {name} is being deleted; wait until it is gone, then deploy again"
            )
        if status not in TRANSITIONAL:
            reason = response.get("FailureReason") or "no FailureReason given"
            raise DeployError(
                f"endpoint {name} is {status}: {reason}; fix the cause (image, role, "
                "instance quota), run `conformance teardown`, then deploy again"
            )
        if status != last_status or now - last_line >= HEARTBEAT_SECONDS:
            out(f"  endpoint {name}: {status} ({elapsed} elapsed, deadline {_clock_text(timeout)})")
            last_status, last_line = status, now
        if now >= deadline:
            raise DeployError(
                f"endpoint {name} still {status} after {int(timeout)} s; {rerun_hint}",
                EXIT_FAILED,
            )
        sleep(max(0.0, min(interval, deadline - now)))
