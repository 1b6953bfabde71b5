"""Mutants of time and capacity: TTL, invocation timeout, worker count."""

from __future__ import annotations

from dataclasses import dataclass

from mutants.mutant import Mutant
from reference.parts import PerInstanceConcurrency


@dataclass(frozen=True)
class NeverExpires:
    """IEA-TTL-001: RequestTTLSeconds is accepted and ignored; queued requests always run."""

    def deadline(self, received_monotonic: float, ttl_seconds: int, clock_scale: float) -> None:
        return None


@dataclass(frozen=True)
class ExpiresAtOnce:
    """IEA-TTL-003: every request is expired the moment it is queued."""

    def deadline(self, received_monotonic: float, ttl_seconds: int, clock_scale: float) -> float:
        return received_monotonic


@dataclass(frozen=True)
class IgnoresTimeout:
    """IEA-TMO-001: InvocationTimeoutSeconds is accepted and ignored."""

    def seconds(self, requested: int, clock_scale: float) -> None:
        return None


@dataclass(frozen=True)
class TimeoutInMilliseconds:
    """IEA-TMO-002: InvocationTimeoutSeconds read as milliseconds."""

    def seconds(self, requested: int, clock_scale: float) -> float:
        return requested * clock_scale / 1000


@dataclass(frozen=True)
class OneWorkerTooMany(PerInstanceConcurrency):
    """IEA-CONC-001: MaxConcurrentInvocationsPerInstance + 1 invocations at once."""

    def workers(self, max_concurrent_per_instance: int | None, instance_count: int) -> int:
        return super().workers(max_concurrent_per_instance, instance_count) + 1


MUTANTS: tuple[Mutant, ...] = (
    Mutant("never-expires", "IEA-TTL-001", lambda: {"expiry": NeverExpires()}),
    Mutant("expires-at-once", "IEA-TTL-003", lambda: {"expiry": ExpiresAtOnce()}),
    Mutant("ignores-timeout", "IEA-TMO-001", lambda: {"invocation_timeout": IgnoresTimeout()}),
    Mutant("timeout-in-milliseconds", "IEA-TMO-002",
           lambda: {"invocation_timeout": TimeoutInMilliseconds()}),
    Mutant("one-worker-too-many", "IEA-CONC-001", lambda: {"concurrency": OneWorkerTooMany()}),
)
