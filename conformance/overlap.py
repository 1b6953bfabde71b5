"""Outcome checks that send first and judge later, so their waits overlap.

A check that waits for outcomes is an :class:`OutcomePlan`: the strategies its
examples are drawn from, ``send`` (one example's request; it only sends, and may run
on the submitter thread) and ``judge`` (one example, once its outcome is in; it runs
in the check itself, so the verdicts are the check's). Hypothesis draws every
example up front, with the run's seed and the depth's example count. The run's
:class:`Overlap` sends the examples of every plan the process will run, early and in
the background, through an in-flight window sized from the endpoint's concurrency
(so the suite's own backlog never grows into TTL expiries it would then misjudge);
the session's one watcher sees their outcomes land. When a check runs, most of its
outcomes are already in: the run waits about one outcome latency per window, not
one per example.

Judging keeps what a one-example-at-a-time check gave: each example is judged on
its own, so a verdict names one request with its own evidence; of the examples that
failed, the smallest (by its printed size) is the one reported, with its drawn
values as the falsifying example; a harness or hang error is raised as it was.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import Phase, given
from hypothesis.strategies import SearchStrategy
from hypothesis.vendor.pretty import pretty

from conformance.client import Exchange, HarnessError
from conformance.depth import hypothesis_check
from conformance.observe import Outcome
from conformance.session import ConformanceSession
from conformance.violations import ContractViolation, ContractViolations
from conformance.watcher import Watch

# Requests of the suite queued per worker of the endpoint, at most.
IN_FLIGHT_PER_WORKER = 8
MIN_WINDOW = 4
MAX_WINDOW = 64
MAX_LOOPS = 100_000

Values = dict[str, Any]
Strategies = Callable[[ConformanceSession], Mapping[str, SearchStrategy[Any]]]
Judged = tuple[Values, Exchange, Outcome]


def _no_strategies(session: ConformanceSession) -> Mapping[str, SearchStrategy[Any]]:
    return {}


@dataclass(frozen=True)
class OutcomePlan:
    """A check that waits for outcomes, split into what to send and how to judge it.

    ``strategies(session)`` gives the keyword strategies of one example, drawn by
    Hypothesis; ``fixed(session)`` lists designed examples, sent first and always
    (with ``strategies``, as Hypothesis' ``@example`` is: the edges a seed may miss);
    with neither, one example without values. ``send(session, values)`` sends one and
    returns the exchange, judging nothing (it may keep what it saw at sending time in
    ``values`` under a key starting with ``_``); ``judge(session, values, exchange,
    outcome)`` raises :class:`ContractViolation` when the target broke a behaviour
    in one example; ``judge_all(session, judged)`` judges across the examples (e.g.
    that their locations are distinct).
    """

    name: str
    send: Callable[[ConformanceSession, Values], Exchange]
    judge: Callable[[ConformanceSession, Values, Exchange, Outcome], None] | None = None
    strategies: Strategies = _no_strategies
    fixed: Callable[[ConformanceSession], list[Values]] | None = None
    judge_all: Callable[[ConformanceSession, list[Judged]], None] | None = None
    kind: str = "outcome"

    def draw(self, session: ConformanceSession) -> list[Values]:
        """The examples Hypothesis draws for this plan (the run's seed and depth)."""
        designed = [dict(values) for values in self.fixed(session)] if self.fixed else []
        strategies = dict(self.strategies(session))
        if not strategies:
            return designed or [{}]
        drawn: list[Values] = list(designed)

        @hypothesis_check(self.kind, shrink=False, phases=[Phase.explicit, Phase.generate])
        @given(**strategies)
        def collect(**values: Any) -> None:
            drawn.append(values)

        collect()
        return drawn


def overlapped(plan: OutcomePlan) -> Callable[[Any], Any]:
    """Mark a check as running ``plan``, so the run can send its examples early."""

    def mark(test: Any) -> Any:
        test.outcome_plan = plan
        return test

    return mark


def plan_of(item: Any) -> OutcomePlan | None:
    """The plan of a collected check, if it has one."""
    return getattr(getattr(item, "function", None), "outcome_plan", None)


@dataclass(eq=False)
class Example:
    values: Values
    exchange: Exchange | None = None
    watch: Watch | None = None
    # What sending raised (a hang, a broken harness): the check raises it.
    error: BaseException | None = None


@dataclass(eq=False)
class PlanRun:
    plan: OutcomePlan
    examples: list[Example]
    sent: threading.Event = field(default_factory=threading.Event)


def window_for(session: ConformanceSession) -> int:
    """How many of the suite's requests may be in flight at once on the endpoint."""
    limit = session.async_config.concurrency_limit if session.async_config else 1
    return max(MIN_WINDOW, min(MAX_WINDOW, IN_FLIGHT_PER_WORKER * limit))


class Overlap:
    """Sends the examples of outcome plans in the background; checks judge them."""

    def __init__(self, session: ConformanceSession, *, window: int | None = None) -> None:
        self._session = session
        self.window = window or window_for(session)
        self._runs: dict[str, PlanRun] = {}
        self._queue: deque[PlanRun] = deque()
        self._lock = threading.Lock()
        self._work = threading.Event()
        self._closed = False
        self._in_flight: deque[Watch] = deque()
        self.peak_in_flight = 0
        self._thread = threading.Thread(
            target=self._submit_all, name="conformance-overlap", daemon=True
        )
        self._thread.start()

    # -- the main thread -------------------------------------------------------

    def start(self, plans: Iterable[OutcomePlan]) -> None:
        """Draw each new plan's examples now and queue them for sending."""
        for plan in plans:
            with self._lock:
                if plan.name in self._runs:
                    continue
            run = PlanRun(plan, [Example(values) for values in plan.draw(self._session)])
            with self._lock:
                self._runs[plan.name] = run
                self._queue.append(run)
            self._work.set()

    def judge(self, plan: OutcomePlan) -> None:
        """Judge every example of ``plan`` once its outcome is in; raise the smallest
        failing example's violation, or the first error sending raised."""
        self.start([plan])
        with self._lock:
            run = self._runs[plan.name]
            if run in self._queue:
                # Wanted now: it goes before the plans of later checks.
                self._queue.remove(run)
                self._queue.appendleft(run)
        self._work.set()
        budget = 4 * self._session.timing.saturated_outcome_deadline + 60
        if not run.sent.wait(budget):
            raise HarnessError(f"the requests of {plan.name!r} were not sent within {budget:.0f} s")
        for example in run.examples:
            if example.error is not None:
                raise example.error
        watches = [e.watch for e in run.examples if e.watch is not None]
        self._session.await_outcomes(watches)
        judged: list[Judged] = []
        for example in run.examples:
            assert example.exchange is not None and example.watch is not None
            judged.append((example.values, example.exchange, example.watch.outcome()))
        if plan.judge_all is not None:
            plan.judge_all(self._session, judged)
        failures: list[tuple[int, Example, AssertionError]] = []
        for index, (example, (values, exchange, outcome)) in enumerate(
            zip(run.examples, judged, strict=True)
        ):
            if plan.judge is None:
                break
            try:
                plan.judge(self._session, values, exchange, outcome)
            except (ContractViolation, ContractViolations) as violation:
                failures.append((index, example, violation))
        if failures:
            index, example, violation = min(
                failures, key=lambda f: (len(pretty(_printable(f[1].values))), f[0])
            )
            if _printable(example.values):
                violation.add_note(_falsifying(plan, example.values, index, len(run.examples),
                                               len(failures)))
            raise violation

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
        self._work.set()
        self._thread.join(timeout=30)

    # -- the submitter thread ------------------------------------------------------

    def _submit_all(self) -> None:
        for _ in range(MAX_LOOPS):
            with self._lock:
                if self._closed:
                    return
                run = self._queue.popleft() if self._queue else None
                if run is None:
                    self._work.clear()
            if run is None:
                self._work.wait(1.0)
                continue
            try:
                for example in run.examples:
                    self._send(run.plan, example)
            finally:
                run.sent.set()

    def _send(self, plan: OutcomePlan, example: Example) -> None:
        self._wait_for_room()
        try:
            example.exchange = plan.send(self._session, example.values)
        except BaseException as exc:
            example.error = exc
            return
        example.watch = self._session.watch(example.exchange)
        self._in_flight.append(example.watch)
        self.peak_in_flight = max(self.peak_in_flight, self._count_in_flight())

    def _count_in_flight(self) -> int:
        while self._in_flight and self._in_flight[0].done.is_set():
            self._in_flight.popleft()
        return sum(1 for w in self._in_flight if not w.done.is_set())

    def _wait_for_room(self) -> None:
        """Block (bounded) until fewer than ``window`` requests are in flight."""
        end = time.monotonic() + self._session.timing.saturated_outcome_deadline + 30
        for _ in range(MAX_LOOPS):
            if self._count_in_flight() < self.window or time.monotonic() > end:
                return
            oldest = next((w for w in self._in_flight if not w.done.is_set()), None)
            if oldest is not None:
                oldest.done.wait(0.5)


def _printable(values: Values) -> Values:
    """The drawn values, without what ``send`` kept for the judge."""
    return {name: value for name, value in values.items() if not name.startswith("_")}


def _falsifying(plan: OutcomePlan, values: Values, index: int, count: int, failed: int) -> str:
    arguments = "".join(
        f"    {name}={pretty(value)},\n" for name, value in _printable(values).items()
    )
    return (
        f"Falsifying example: {plan.name}(\n{arguments})\n"
        f"(example {index + 1} of {count} sent together; {failed} of them failed, "
        "the smallest is shown)"
    )
