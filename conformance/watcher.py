"""One watcher for every outcome the run waits for.

Every accepted request announces where its output (and failure) will land. Instead
of one polling loop per waiting check, the session's :class:`OutcomeWatcher` keeps
every announced location in one table and one background thread polls for all of
them: one S3 listing per prefix per poll (not one request per location), an object
read only once a listing shows it, and polls that back off while nothing lands and
skip requests that cannot be due yet (a request is not looked for before half the
quickest outcome seen so far). Checks register what they sent and block until each
request's outcome settles or its deadline passes; many requests are in flight at
once, so waits overlap instead of adding up.

Every loop is bounded in time and in count; nothing sleeps "to let things settle".
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from conformance.client import Exchange, HarnessError
from conformance.observe import Outcome, S3Object, S3Observer
from conformance.s3uri import S3Location, parse_location

# A target writing both outcomes writes them back to back; a quarter second after the
# first is long enough to see the second, short enough to repeat.
GRACE_SECONDS = 0.25
MIN_INTERVAL = 0.05
MAX_INTERVAL = 1.0
BACKOFF = 1.5
# Below this many watched keys under one prefix, reading each key is cheaper than a
# listing (on AWS a LIST request costs about ten GETs).
LIST_THRESHOLD = 3
# A listing longer than this many pages (1,000 keys each) means a crowded prefix
# (other runs' objects): the watcher reads its keys one by one instead.
MAX_LIST_PAGES = 2
MAX_POLLS = 100_000
# The longest a waiter blocks between checks of its own deadline.
WAKE_SECONDS = 0.5


@dataclass(eq=False)
class Watch:
    """One request whose outcome the watcher looks for."""

    exchange: Exchange | None
    output_location: S3Location | None
    failure_location: S3Location | None
    registered_at: float
    deadline_at: float
    output: S3Object | None = None
    failure: S3Object | None = None
    first_seen: float | None = None
    settled_at: float | None = None
    # Reading an announced object broke (not "no such key"): the harness's problem.
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def locations(self) -> list[S3Location]:
        return [
            loc for loc in (self.output_location, self.failure_location) if loc and loc.key
        ]

    def outcome(self) -> Outcome:
        end = self.settled_at if self.settled_at is not None else time.monotonic()
        return Outcome(
            output=self.output,
            failure=self.failure,
            waited=end - self.registered_at,
            output_location=self.output_location,
            failure_location=self.failure_location,
        )


class OutcomeWatcher:
    """Polls S3 for the outcomes of every registered request, on one thread."""

    def __init__(
        self,
        observer: S3Observer,
        s3: Any,
        *,
        grace_seconds: float = GRACE_SECONDS,
        min_interval: float = MIN_INTERVAL,
        max_interval: float = MAX_INTERVAL,
        list_threshold: int = LIST_THRESHOLD,
    ) -> None:
        self._observer = observer
        self._s3 = s3
        self.grace_seconds = grace_seconds
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.list_threshold = list_threshold
        self._pending: list[Watch] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        # The quickest outcome seen so far (seconds from registration): a request is
        # not looked for before half of it.
        self.quickest: float | None = None
        self.polls = 0
        self.listings = 0
        self.reads = 0
        self._crowded: set[tuple[str, str]] = set()
        # Every location where an outcome object was read (clean-up needs no second look).
        self.landed: set[S3Location] = set()

    # -- the interface checks use ------------------------------------------------

    def watch(self, exchange: Exchange, *, deadline: float) -> Watch:
        """Start looking for ``exchange``'s outcome for ``deadline`` seconds from now."""
        return self.watch_locations(
            exchange.output_location, exchange.failure_location, deadline=deadline,
            exchange=exchange,
        )

    def watch_locations(
        self,
        output: str | None,
        failure: str | None,
        *,
        deadline: float,
        exchange: Exchange | None = None,
    ) -> Watch:
        """Start looking for objects at the announced ``output`` and ``failure`` URIs."""
        now = time.monotonic()
        item = Watch(
            exchange=exchange,
            output_location=parse_location(output),
            failure_location=parse_location(failure),
            registered_at=now,
            deadline_at=now + max(0.0, deadline),
        )
        if not item.locations:
            # Nothing announced, nothing to wait for: "none" at once (judged fast).
            item.settled_at = now
            item.done.set()
            return item
        with self._lock:
            if self._closed:
                item.settled_at = now
                item.done.set()
                return item
            self._pending.append(item)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="conformance-outcome-watcher", daemon=True
                )
                self._thread.start()
        self._wake.set()
        return item

    def wait(self, watches: Sequence[Watch]) -> list[Outcome]:
        """Block until every watch settled (outcome seen, or its deadline passed)."""
        for item in watches:
            for _ in range(MAX_POLLS):
                if item.done.wait(WAKE_SECONDS):
                    break
                if time.monotonic() > item.deadline_at + 5 * self.max_interval + 5:
                    # The poller is stuck or gone: settle with what was seen.
                    self._settle(item, time.monotonic())
                    break
        for item in watches:
            if item.error is not None:
                raise item.error
        return [item.outcome() for item in watches]

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            left = list(self._pending)
            self._pending.clear()
        self._wake.set()
        now = time.monotonic()
        for item in left:
            self._settle(item, now)
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- the poller ------------------------------------------------------------------

    def _run(self) -> None:
        interval = self.min_interval
        for _ in range(MAX_POLLS):
            with self._lock:
                if self._closed or not self._pending:
                    self._thread = None
                    return
                items = list(self._pending)
            now = time.monotonic()
            try:
                found = self._poll(items, now)
            except Exception as exc:  # a broken poller must not leave waiters blocked
                for item in items:
                    item.error = HarnessError(f"the outcome watcher broke: {exc!r}")
                    self._settle(item, now)
                found = False
            now = time.monotonic()
            with self._lock:
                still = [i for i in self._pending if not i.done.is_set()]
                self._pending = still
            interval = self.min_interval if found else min(interval * BACKOFF, self.max_interval)
            wake_at = now + self.max_interval
            for item in still:
                if item.first_seen is not None:
                    candidate = item.first_seen + self.grace_seconds
                else:
                    candidate = max(self._due(item), now + interval)
                wake_at = min(wake_at, candidate, item.deadline_at)
            self._wake.clear()
            self._wake.wait(max(0.0, wake_at - time.monotonic()))
        with self._lock:
            self._thread = None

    def _due(self, item: Watch) -> float:
        if self.quickest is None:
            return item.registered_at
        return item.registered_at + self.quickest / 2

    def _poll(self, items: list[Watch], now: float) -> bool:
        """One round over every due request; True when any outcome object appeared."""
        self.polls += 1
        due = [i for i in items if self._due(i) <= now or i.first_seen is not None]
        wanted: dict[S3Location, list[Watch]] = defaultdict(list)
        for item in due:
            if item.output is None and item.output_location and item.output_location.key:
                wanted[item.output_location].append(item)
            if item.failure is None and item.failure_location and item.failure_location.key:
                wanted[item.failure_location].append(item)
        present = self._present(list(wanted))
        found_any = False
        for location in present:
            try:
                obj = self._read(location)
            except HarnessError as exc:
                for item in wanted[location]:
                    item.error = exc
                    self._settle(item, now)
                continue
            if obj is None:
                continue
            self.landed.add(location)
            for item in wanted[location]:
                if location == item.output_location and item.output is None:
                    item.output = obj
                if location == item.failure_location and item.failure is None:
                    item.failure = obj
                if item.first_seen is None:
                    item.first_seen = now
                    latency = now - item.registered_at
                    self.quickest = latency if self.quickest is None else min(
                        self.quickest, latency
                    )
                found_any = True
        now = time.monotonic()
        for item in items:
            both = item.output is not None and item.failure is not None
            only = len(item.locations) == 1 and (item.output or item.failure) is not None
            graced = item.first_seen is not None and now - item.first_seen >= self.grace_seconds
            if both or only or graced or now >= item.deadline_at:
                self._settle(item, now)
        return found_any

    def _present(self, locations: list[S3Location]) -> list[S3Location]:
        """Which of ``locations`` exist: one listing per crowded-enough prefix, and
        the rest are simply read (a read of a missing key is the cheapest probe)."""
        groups: dict[tuple[str, str], list[S3Location]] = defaultdict(list)
        for location in locations:
            parent = location.key.rsplit("/", 1)[0] + "/" if "/" in location.key else ""
            groups[(location.bucket, parent)].append(location)
        present: list[S3Location] = []
        for (bucket, prefix), members in groups.items():
            if len(members) < self.list_threshold or (bucket, prefix) in self._crowded:
                present.extend(members)  # read directly
                continue
            keys = self._list(bucket, prefix)
            if keys is None:
                self._crowded.add((bucket, prefix))
                present.extend(members)
                continue
            present.extend(m for m in members if m.key in keys)
        return present

    def _list(self, bucket: str, prefix: str) -> set[str] | None:
        keys: set[str] = set()
        token: str | None = None
        for _ in range(MAX_LIST_PAGES):
            args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": 1000}
            if token:
                args["ContinuationToken"] = token
            try:
                page = self._s3.list_objects_v2(**args)
            except (ClientError, BotoCoreError):
                return None  # no listing allowed (or it broke): read keys one by one
            self.listings += 1
            keys.update(str(o.get("Key", "")) for o in page.get("Contents", []) or [])
            if not page.get("IsTruncated"):
                return keys
            token = page.get("NextContinuationToken")
            if not token:
                return keys
        return None

    def _read(self, location: S3Location) -> S3Object | None:
        self.reads += 1
        return self._observer.fetch(location)

    def _settle(self, item: Watch, now: float) -> None:
        if item.done.is_set():
            return
        item.settled_at = now
        item.done.set()
