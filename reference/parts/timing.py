"""Time and capacity parts: request expiry, invocation timeout, worker count.

Durations are multiplied by the service's clock scale, so an emulator can run a
60-second TTL in 3 seconds (scale 0.05); the suite scales its waits alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# AWS picks a per-instance default when ClientConfig is absent; any positive
# number keeps the contract, so choose a small one.
DEFAULT_MAX_CONCURRENT = 4


class Expiry(Protocol):
    def deadline(
        self, received_monotonic: float, ttl_seconds: int, clock_scale: float
    ) -> float | None:
        """Monotonic time after which a still-queued request expires; None = never."""
        ...


@dataclass(frozen=True)
class TtlExpiry:
    def deadline(
        self, received_monotonic: float, ttl_seconds: int, clock_scale: float
    ) -> float | None:
        return received_monotonic + ttl_seconds * clock_scale


class InvocationTimeout(Protocol):
    def seconds(self, requested: int, clock_scale: float) -> float | None:
        """How long the container call may take; None = unbounded."""
        ...


@dataclass(frozen=True)
class ScaledTimeout:
    def seconds(self, requested: int, clock_scale: float) -> float | None:
        return requested * clock_scale


class Concurrency(Protocol):
    def workers(self, max_concurrent_per_instance: int | None, instance_count: int) -> int: ...


@dataclass(frozen=True)
class PerInstanceConcurrency:
    """MaxConcurrentInvocationsPerInstance x instance count, at least one."""

    def workers(self, max_concurrent_per_instance: int | None, instance_count: int) -> int:
        per_instance = max_concurrent_per_instance or DEFAULT_MAX_CONCURRENT
        return max(1, per_instance * max(1, instance_count))
