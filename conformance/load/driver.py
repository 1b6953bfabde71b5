"""The burst itself, on Locust, in processes of its own.

Locust monkey-patches the standard library with gevent, so this module is only ever
run as a program and never imported by pytest or by the asyncio embedded stack:

    python -m conformance.load.driver local  PLAN.json RECORDS.jsonl
    python -m conformance.load.driver master PLAN.json RECORDS.jsonl --bind HOST:PORT \
        --expect-workers N
    python -m conformance.load.driver worker --master HOST:PORT

A plan holds the target's settings, the number of accepted requests wanted, users,
spawn rate or target rate, the request mix and a time budget. Each request sent
gives one JSON record (tag, kind, status, locations, sent-at, 202 latency, error).
In distributed mode the master sends each worker the plan (without credentials: a
worker signs with its own credential chain) and its share of the count, and the
workers send their records back to the master over Locust's own channel, so a
worker may run on another machine. Every loop stops by itself: at the count, at
the budget, or when the target stops answering.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import botocore.session  # noqa: E402
import gevent  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from gevent.event import Event  # noqa: E402
from locust import User, constant, constant_throughput, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

from conformance.client import Invoker  # noqa: E402
from conformance.load.mix import Mix, request_for  # noqa: E402

GRACE_S = 30.0  # past the budget, the driver stops whatever its users do
RECORDS_PER_MESSAGE = 500
# The target is unreachable when no request got an answer for this long (a restart
# of the target mid-burst takes seconds; the burst waits it out).
UNREACHABLE_AFTER_S = 30.0
# After a request got no answer, its user waits this long before the next one.
NO_ANSWER_PAUSE_S = 0.2

_lock = threading.Lock()


class Plan:
    """The part of the count this process sends, and what it recorded."""

    def __init__(self, data: dict[str, Any], *, share: int, prefix: str) -> None:
        self.data = data
        self.share = share
        self.prefix = prefix
        self.mix = Mix.parse(data.get("mix") or "")
        self.tags = itertools.count()
        self.accepted = 0
        self.sent = 0
        self.last_answer = time.monotonic()
        self.stopped_because = ""
        self.deadline = time.monotonic() + float(data["budget_s"])
        self.records: list[dict[str, Any]] = []

    def next_index(self) -> int | None:
        """A fresh request index, or None once accepted plus in-flight reach the share."""
        with _lock:
            if self.stopped_because:
                return None
            in_flight = self.sent - len(self.records)
            if self.accepted + in_flight >= self.share:
                return None
            if time.monotonic() > self.deadline:
                self.stopped_because = "budget"
                return None
            self.sent += 1
            return next(self.tags)

    def record(self, record: dict[str, Any]) -> None:
        with _lock:
            self.records.append(record)
            status = record["status"]
            # Accepted as a client takes it: a success answer naming an OutputLocation.
            if status is not None and 200 <= status < 300 and record.get("output_location"):
                self.accepted += 1
            if record["status"] is not None:
                self.last_answer = time.monotonic()
            elif time.monotonic() - self.last_answer > UNREACHABLE_AFTER_S:
                self.stopped_because = "unreachable"

    def done(self) -> bool:
        with _lock:
            if self.accepted >= self.share:
                return True
            if time.monotonic() > self.deadline:
                self.stopped_because = self.stopped_because or "budget"
            return bool(self.stopped_because) and self.sent == len(self.records)


PLAN: Plan | None = None


def _credentials(data: dict[str, Any]) -> Any:
    if data.get("access_key"):
        return Credentials(data["access_key"], data["secret_key"], data.get("session_token"))
    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise SystemExit("conformance load worker: no AWS credentials in this environment")
    return found


class InvokeUser(User):
    wait_time = constant(0)

    def on_start(self) -> None:
        assert PLAN is not None
        data = PLAN.data
        credentials = _credentials(data)
        self.invoker = Invoker(
            endpoint_url=data["endpoint_url"], region=data["region"], credentials=credentials,
            read_timeout=float(data.get("read_timeout_s", 30.0)),
        )
        frozen = credentials.get_frozen_credentials() if hasattr(
            credentials, "get_frozen_credentials") else credentials
        self.s3 = boto3.client(
            "s3", endpoint_url=data.get("s3_url"), region_name=data["region"],
            aws_access_key_id=frozen.access_key, aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token,
        )

    @task
    def invoke(self) -> None:
        assert PLAN is not None
        index = PLAN.next_index()
        if index is None:
            gevent.sleep(0.05)  # the main greenlet stops the runner when done
            return
        data = PLAN.data
        tag = f"{PLAN.prefix}-{index:06d}"
        kind = PLAN.mix.kind(index)
        request = request_for(kind, tag, data)
        if request.input_body is not None:
            key = f"{data['input_prefix']}{tag}.json"
            try:
                self.s3.put_object(Bucket=data["input_bucket"], Key=key, Body=request.input_body)
            except Exception as exc:  # the input store is the harness's side
                PLAN.record({"tag": tag, "kind": kind, "status": None, "sent_at": time.time(),
                             "latency_s": 0.0, "error": f"input upload failed: {exc}"[:300],
                             "output_location": None, "failure_location": None})
                return
            request.params["InputLocation"] = f"s3://{data['input_bucket']}/{key}"
        started = time.time()
        error = None
        status = output = failure = None
        try:
            exchange = self.invoker.invoke(request.params)
            status = exchange.status
            output, failure = exchange.output_location, exchange.failure_location
        except Exception as exc:  # no answer (refused, reset, timed out): counted, not fatal
            error = f"{type(exc).__name__}: {exc}"[:300]
        latency = time.time() - started
        PLAN.record({
            "tag": tag, "kind": kind, "status": status, "sent_at": started,
            "latency_s": latency, "output_location": output, "failure_location": failure,
            "error": error, **request.expect,
        })
        if status is None:
            gevent.sleep(NO_ANSWER_PAUSE_S)
        events.request.fire(
            request_type="POST", name=f"InvokeEndpointAsync {kind}",
            response_time=latency * 1000, response_length=0,
            exception=None if status is not None and status < 300
            else (error or f"status {status}"),
        )


def _user_class(data: dict[str, Any]) -> type[InvokeUser]:
    """The user class, paced when the plan asks for a total rate (one class name
    everywhere: a master tells its workers which class to spawn by name)."""
    rate = data.get("target_rate")
    InvokeUser.wait_time = (
        constant_throughput(float(rate) / int(data["users"])) if rate else constant(0)
    )
    return InvokeUser


def _wait_until_done(plan: Plan) -> None:
    hard_stop = plan.deadline + GRACE_S
    while not plan.done() and time.monotonic() < hard_stop:
        gevent.sleep(0.1)


def _write(path: Path, records: list[dict[str, Any]], stopped_because: str) -> None:
    with path.open("w") as out:
        out.write(json.dumps({"stopped_because": stopped_because}) + "\n")
        for record in records:
            out.write(json.dumps(record) + "\n")


def run_local(data: dict[str, Any], record_path: Path) -> int:
    global PLAN
    PLAN = Plan(data, share=int(data["count"]), prefix=data["run_id"])
    env = Environment(user_classes=[_user_class(data)], events=events)
    runner = env.create_local_runner()
    runner.start(int(data["users"]), spawn_rate=float(data["spawn_rate"]))
    _wait_until_done(PLAN)
    runner.quit()
    _write(record_path, PLAN.records, PLAN.stopped_because or "count")
    return 0


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def run_master(data: dict[str, Any], record_path: Path, bind: str, expect_workers: int) -> int:
    host, port = _split(bind)
    records: list[dict[str, Any]] = []
    finished: dict[str, str] = {}
    public = {k: v for k, v in data.items()
              if k not in ("access_key", "secret_key", "session_token")}
    env = Environment(user_classes=[_user_class(data)], events=events)
    runner = env.create_master_runner(master_bind_host=host, master_bind_port=port)

    def send_plans() -> None:
        count, workers = int(data["count"]), expect_workers
        for client_id in list(runner.clients):
            index = runner.get_worker_index(client_id)
            share = count // workers + (1 if index < count % workers else 0)
            runner.send_message("plan", {"plan": public, "share": share, "index": index},
                                client_id=client_id)

    def on_records(environment: Any, msg: Any, **_: Any) -> None:
        records.extend(msg.data)

    def on_finished(environment: Any, msg: Any, **_: Any) -> None:
        finished[msg.node_id] = str(msg.data)

    runner.register_message("records", on_records)
    runner.register_message("finished", on_finished)
    deadline = time.monotonic() + float(data.get("connect_s", 60.0))
    while runner.worker_count < expect_workers:
        if time.monotonic() > deadline:
            runner.quit()
            print(f"conformance load: {runner.worker_count} of {expect_workers} workers "
                  "connected in time", file=sys.stderr)
            return 3
        gevent.sleep(0.1)
    send_plans()
    gevent.sleep(0.5)  # the plans travel before the spawn message on each worker's socket
    runner.start(int(data["users"]), spawn_rate=float(data["spawn_rate"]))
    hard_stop = time.monotonic() + float(data["budget_s"]) + 2 * GRACE_S
    while len(finished) < expect_workers and time.monotonic() < hard_stop:
        gevent.sleep(0.1)
    runner.quit()
    reasons = sorted(set(finished.values())) or ["master deadline"]
    _write(record_path, records, ",".join(reasons))
    return 0


def run_worker(master: str) -> int:
    global PLAN
    host, port = _split(master)
    ready = Event()
    env = Environment(user_classes=[InvokeUser], events=events)
    runner = env.create_worker_runner(master_host=host, master_port=port)

    def on_plan(environment: Any, msg: Any, **_: Any) -> None:
        global PLAN
        data = msg.data["plan"]
        PLAN = Plan(data, share=int(msg.data["share"]),
                    prefix=f"{data['run_id']}-w{msg.data['index']}")
        _user_class(data)  # each worker's users pace themselves to make the plan's rate
        ready.set()

    runner.register_message("plan", on_plan)
    if not ready.wait(120):
        print("conformance load worker: no plan from the master", file=sys.stderr)
        runner.quit()
        return 3
    assert PLAN is not None
    _wait_until_done(PLAN)
    for start in range(0, len(PLAN.records), RECORDS_PER_MESSAGE):
        runner.send_message("records", PLAN.records[start : start + RECORDS_PER_MESSAGE])
    runner.send_message("finished", PLAN.stopped_because or "count")
    gevent.sleep(1.0)  # let the messages leave before the socket closes
    runner.quit()
    return 0


def main(argv: list[str]) -> int:
    mode, rest = argv[0], argv[1:]
    if mode == "worker":
        return run_worker(rest[rest.index("--master") + 1])
    data = json.loads(Path(rest[0]).read_text())
    if mode == "master":
        return run_master(data, Path(rest[1]), rest[rest.index("--bind") + 1],
                          int(rest[rest.index("--expect-workers") + 1]))
    return run_local(data, Path(rest[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
