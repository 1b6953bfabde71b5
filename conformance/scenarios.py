"""Slow scenarios: started before the first check, run concurrently, judged by checks.

A scenario only observes (sends requests, waits, collects objects and probe
records); the checks in ``conformance/checks`` judge what it saw. Running them in
the background means a real-clock run costs about the longest wait the contract
forces (the 60 s TTL floor), not the sum of every slow wait.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.client import Exchange, HarnessError, TargetMisbehaved
from conformance.observe import Notification, Outcome
from conformance.probe import ProbeRecord, new_tag, parse_probe_record, probe_payload
from conformance.session import ConformanceSession
from strategies.values import timeout_edges, ttl_edges

# The shortest InvocationTimeoutSeconds a quick (200 ms) model is sent with to be judged on
# finishing in time: long enough at every clock scale for a loaded machine's round trip.
IN_TIME_MIN_TIMEOUT = 60


@dataclass(frozen=True)
class Invocation:
    """A request the scenario sent, what came back, and what it led to."""

    tag: str
    exchange: Exchange
    outcome: Outcome | None = None
    notifications: tuple[Notification, ...] = ()

    @property
    def record(self) -> ProbeRecord | None:
        if self.outcome is None or self.outcome.output is None:
            return None
        return parse_probe_record(self.outcome.output.body)

    def evidence(self) -> list[dict[str, Any]]:
        notes: list[dict[str, Any]] = [
            {
                "kind": "note",
                "text": f"request tagged {self.tag}: status {self.exchange.status}, "
                f"InferenceId {self.exchange.inference_id}",
            }
        ]
        if self.outcome is not None:
            notes.extend(self.outcome.to_evidence())
        notes.extend(n.to_evidence() for n in self.notifications)
        return notes


@dataclass(frozen=True)
class SaturationObservation:
    """The TTL and concurrency scenario.

    ``holders`` keep every worker busy for ``hold_seconds``; ``extra`` is one short
    request queued behind them (so a target running more than the limit at once
    shows an overlap); ``expiring`` carries RequestTTLSeconds=60 and waits behind
    all of them for longer than its TTL; ``witness`` runs last and its probe
    record's history lists what the model processed; ``fresh`` holds one request per
    valid RequestTTLSeconds edge (``ttl_seconds`` among them), sent to an idle endpoint,
    so none may expire.
    """

    limit: int
    hold_seconds: float
    ttl_seconds: int
    holders: tuple[Invocation, ...]
    extra: Invocation
    expiring: Invocation
    witness: Invocation
    fresh: tuple[tuple[int, Invocation], ...]  # (RequestTTLSeconds, the request)
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TimeoutObservation:
    timeout_seconds: int
    sleep_ms: int
    too_slow: Invocation
    in_time: tuple[tuple[int, Invocation], ...]  # (InvocationTimeoutSeconds, the request)


class Scenarios:
    """Runs scenarios in background threads; checks wait for their observations."""

    def __init__(self, session: ConformanceSession) -> None:
        self._session = session
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=len(SCENARIOS), thread_name_prefix="conformance-scenario"
        )
        self._futures: dict[str, concurrent.futures.Future[Any]] = {}

    def start(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in SCENARIOS:
                raise HarnessError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
            if name not in self._futures:
                # Sharing the endpoint, every other request may now queue behind them.
                if self._session.scenario_endpoint == self._session.target.endpoint_name:
                    self._session.saturating = True
                self._futures[name] = self._pool.submit(SCENARIOS[name], self._session)

    def result(self, name: str) -> Any:
        """The scenario's observation; starts it now if nothing started it early."""
        self.start([name])
        deadline = 4 * self._session.timing.saturated_outcome_deadline + 60
        try:
            return self._futures[name].result(timeout=deadline)
        except concurrent.futures.TimeoutError as exc:
            raise HarnessError(f"scenario {name!r} did not finish within {deadline:.0f} s") from exc
        except (HarnessError, TargetMisbehaved):
            raise  # a target that stopped answering is judged, not wrapped
        except Exception as exc:
            raise HarnessError(f"scenario {name!r} broke: {type(exc).__name__}: {exc}") from exc

    def shutdown(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _send(session: ConformanceSession, tag: str, **instructions: Any) -> Invocation:
    extra_params = {"EndpointName": session.scenario_endpoint, **instructions.pop("params", {})}
    exchange = session.invoke_probe(
        probe_payload(tag=tag, **instructions), extra_params=extra_params
    )
    return Invocation(tag=tag, exchange=exchange)


def _settle(session: ConformanceSession, invocations: list[Invocation]) -> list[Invocation]:
    accepted = [i for i in invocations if 200 <= i.exchange.status < 300]
    # Scenario requests queue behind the holders: wait as long as saturation takes.
    outcomes = session.wait_for_outcomes(
        [i.exchange for i in accepted], deadline=session.timing.saturated_outcome_deadline
    )
    by_tag = {i.tag: o for i, o in zip(accepted, outcomes, strict=True)}
    settled = []
    for invocation in invocations:
        notifications: tuple[Notification, ...] = ()
        if session.inbox is not None and invocation.exchange.inference_id:
            notifications = tuple(
                session.inbox.wait_for(
                    invocation.exchange.inference_id, deadline=session.timing.absence_window
                )
            )
        settled.append(
            Invocation(
                tag=invocation.tag,
                exchange=invocation.exchange,
                outcome=by_tag.get(invocation.tag),
                notifications=notifications,
            )
        )
    return settled


def saturation(session: ConformanceSession) -> SaturationObservation:
    assert session.scenario_config is not None
    limit = session.scenario_config.concurrency_limit
    hold = session.timing.hold
    hold_ms = int(hold * 1000)
    extra_ms = 100
    holders = [_send(session, new_tag("hold"), sleep_ms=hold_ms) for _ in range(limit)]
    extra = _send(session, new_tag("extra"), sleep_ms=extra_ms)
    edges = ttl_edges()
    floor = edges[0]  # the TTL that expires soonest
    expiring = _send(session, new_tag("expire"), params={"RequestTTLSeconds": floor})
    settled = _settle(session, [*holders, extra, expiring])
    witness = _settle(session, [_send(session, new_tag("witness"))])[0]
    # One at a time: sent together, the edges would queue behind each other, and a
    # faithful target with a pickup delay may rightly expire the floor edge (3 s at
    # clock scale 0.05) that waited behind the others; "sent to an idle endpoint" is
    # the precondition IEA-TTL-003 is judged on.
    fresh = [
        _settle(session, [_send(session, new_tag("fresh"), params={"RequestTTLSeconds": ttl})])[0]
        for ttl in edges
    ]
    return SaturationObservation(
        limit=limit,
        hold_seconds=hold,
        ttl_seconds=floor,
        holders=tuple(settled[:limit]),
        extra=settled[limit],
        expiring=settled[limit + 1],
        witness=witness,
        fresh=tuple(zip(edges, fresh, strict=True)),
    )


def invocation_timeout(session: ConformanceSession) -> TimeoutObservation:
    scale = session.timing.clock_scale
    edges = timeout_edges()
    timeout = edges[0]  # the floor: the shortest a model can be cut off at
    # Long past the scaled timeout, yet short in wall time on a fast clock.
    sleep_ms = int(max(3 * timeout * scale, timeout * scale + 1.0) * 1000)
    # The edges a quick model meets at any clock scale with room for a loaded machine's
    # round trip to the container (2 s at scale 0.05 is 100 ms: left out).
    in_time_timeouts = [t for t in edges if t >= IN_TIME_MIN_TIMEOUT]
    too_slow = _send(
        session,
        new_tag("timeout"),
        sleep_ms=sleep_ms,
        params={"InvocationTimeoutSeconds": timeout},
    )
    in_time = [
        _send(
            session,
            new_tag("in-time"),
            sleep_ms=min(200, int(t * scale * 1000 / 4)),
            params={"InvocationTimeoutSeconds": t},
        )
        for t in in_time_timeouts
    ]
    settled = _settle(session, [too_slow, *in_time])
    return TimeoutObservation(
        timeout_seconds=timeout,
        sleep_ms=sleep_ms,
        too_slow=settled[0],
        in_time=tuple(zip(in_time_timeouts, settled[1:], strict=True)),
    )


SCENARIOS: dict[str, Callable[[ConformanceSession], Any]] = {
    "saturation": saturation,
    "timeout": invocation_timeout,
}
