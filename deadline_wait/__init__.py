"""Waiting for a condition under a deadline: the one poll loop every part uses.

The suite, the reference's test helpers, the deploy commands and the moto launcher all
wait for something a server does (an object written, a port listening, an endpoint
InService). Each wait here is bounded twice, by a deadline and by a number of polls,
and sleeps only between polls, never longer than the time left. It imports nothing
of the project, so the reference (which imports nothing of the suite) can use it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# However fast the condition answers, a wait polls at most this many times (or as many
# as its timeout needs at its first interval, if more): bounded even if the clock is not.
MAX_POLLS = 10_000


class DeadlineExceeded(TimeoutError):
    """The condition did not hold before the deadline."""


def wait_for(
    condition: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.02,
    max_interval: float = 0.5,
    growth: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``condition`` until it returns something other than None, and return that.

    It is called at once, then after ``interval`` seconds, the interval growing by
    ``growth`` up to ``max_interval``. ``DeadlineExceeded`` names ``what`` when
    ``timeout`` seconds pass (the condition is always called at least once).
    Exceptions from ``condition`` propagate: a condition that can tell the wait is
    hopeless (a process exited, an endpoint Failed) raises.
    """
    deadline = clock() + timeout
    delay = interval
    polls = max(MAX_POLLS, int(timeout / interval) + 2) if interval > 0 else MAX_POLLS
    for _ in range(polls):
        value = condition()
        if value is not None:
            return value
        remaining = deadline - clock()
        if remaining <= 0:
            break
        sleep(min(delay, remaining))
        delay = min(delay * growth, max_interval)
    raise DeadlineExceeded(f"timed out after {timeout:g} s waiting for {what}")


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.05,
    max_interval: float = 1.0,
    growth: float = 1.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """``wait_for`` for a yes/no question: True once ``predicate()`` is true, False at
    the deadline (for waits whose expiry is an answer, not an error)."""
    try:
        wait_for(
            lambda: True if predicate() else None,
            timeout=timeout,
            what="a condition",
            interval=interval,
            max_interval=max_interval,
            growth=growth,
            clock=clock,
            sleep=sleep,
        )
    except DeadlineExceeded:
        return False
    return True


__all__ = ["MAX_POLLS", "DeadlineExceeded", "wait_for", "wait_until"]
