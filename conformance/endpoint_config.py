"""The endpoint's async config as the suite resolved it, and the waits it implies.

``AsyncConfig`` is what the control plane (or, where none answers, the target file)
says of the endpoint; ``Timing`` turns the target's clock scale into the waits of the
saturation scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The contract's TTL floor: RequestTTLSeconds has minimum 60 [model].
TTL_FLOOR_SECONDS = 60
# Values that keep a request clear of TTL and timeout while other checks saturate
# the endpoint: a check that wants success must not be failed by our own load.
SAFE_TTL_SECONDS = 21600
SAFE_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class AsyncConfig:
    """The endpoint's AsyncInferenceConfig, as the control plane (or target file) gives it."""

    s3_output_path: str
    s3_failure_path: str | None
    success_topic: str | None
    error_topic: str | None
    include_inference_response_in: tuple[str, ...]
    max_concurrent_invocations_per_instance: int
    instance_count: int
    source: str

    @property
    def concurrency_limit(self) -> int:
        return self.max_concurrent_invocations_per_instance * max(1, self.instance_count)

    def describe(self) -> dict[str, Any]:
        return {
            "s3_output_path": self.s3_output_path,
            "s3_failure_path": self.s3_failure_path,
            "success_topic": self.success_topic,
            "error_topic": self.error_topic,
            "include_inference_response_in": list(self.include_inference_response_in),
            "max_concurrent_invocations_per_instance": self.max_concurrent_invocations_per_instance,
            "instance_count": self.instance_count,
            "source": self.source,
        }


@dataclass(frozen=True)
class Timing:
    """Waits derived from the target's clock scale.

    ``hold`` is how long the saturation scenarios keep every worker busy: longer
    than the scaled TTL floor, with a margin for scheduling on the target.
    """

    clock_scale: float
    # How long an outcome may take on an idle endpoint; slow scenarios add to it.
    outcome_base: float = 30.0

    @property
    def ttl_floor(self) -> float:
        return TTL_FLOOR_SECONDS * self.clock_scale

    @property
    def hold(self) -> float:
        # The expiring request is queued within a second of the first holder starting
        # (a few requests later), so it waits about `hold`; the margin covers that
        # second and the target's scheduling, with room to spare.
        return self.ttl_floor + max(2.0, 0.1 * self.ttl_floor)

    @property
    def saturated_outcome_deadline(self) -> float:
        """An outcome's deadline while slow scenarios hold every worker."""
        return self.outcome_base + 2.5 * self.hold

    @property
    def absence_window(self) -> float:
        return 1.0 + 0.02 * self.ttl_floor
