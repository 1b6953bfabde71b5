"""The burst itself, on Locust in library mode, in a process of its own.

Locust monkey-patches the standard library with gevent, so this module is only ever
run as ``python -m conformance.load.driver PLAN.json RECORD.jsonl`` and never
imported by pytest or by the asyncio embedded stack. It reads a plan (target
settings, counts, mix, time budget), sends InvokeEndpointAsync requests until the
plan's number of accepted requests is reached or the budget is spent, and writes
one JSON line per request sent: tag, status, locations, sent-at and 202 latency.
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
import gevent  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from locust import User, constant, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

from conformance.client import Invoker  # noqa: E402
from conformance.load.inputs import input_body  # noqa: E402
from deadline_wait import wait_until  # noqa: E402

_tags = itertools.count()
_lock = threading.Lock()


class Plan:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.accepted = 0
        self.sent = 0
        self.deadline = time.monotonic() + float(data["budget_s"])
        self.records: list[dict[str, Any]] = []

    def next_tag(self) -> str | None:
        """A fresh tag, or None once accepted plus in-flight requests reach the count."""
        with _lock:
            in_flight = self.sent - len(self.records)
            if self.accepted + in_flight >= int(self.data["count"]):
                return None
            if time.monotonic() > self.deadline:
                return None
            self.sent += 1
            return f"{self.data['run_id']}-{next(_tags):06d}"


PLAN: Plan


class InvokeUser(User):
    wait_time = constant(0)

    def on_start(self) -> None:
        data = PLAN.data
        self.invoker = Invoker(
            endpoint_url=data["endpoint_url"], region=data["region"],
            credentials=Credentials(data["access_key"], data["secret_key"]),
        )
        self.s3 = boto3.client(
            "s3", endpoint_url=data.get("s3_url"), region_name=data["region"],
            aws_access_key_id=data["access_key"], aws_secret_access_key=data["secret_key"],
        )

    @task
    def invoke(self) -> None:
        tag = PLAN.next_tag()
        if tag is None:
            gevent.sleep(0.05)  # the main greenlet stops the runner when done
            return
        data = PLAN.data
        key = f"{data['input_prefix']}{tag}.json"
        self.s3.put_object(
            Bucket=data["input_bucket"], Key=key, Body=input_body(tag)
        )
        started = time.time()
        exchange = self.invoker.invoke({
            "EndpointName": data["endpoint_name"],
            "InputLocation": f"s3://{data['input_bucket']}/{key}",
            "InferenceId": tag,
            "ContentType": "application/json",
        })
        latency = time.time() - started
        record = {
            "tag": tag, "status": exchange.status, "sent_at": started, "latency_s": latency,
            "output_location": exchange.output_location,
            "failure_location": exchange.failure_location,
        }
        with _lock:
            PLAN.records.append(record)
            if exchange.status == 202:
                PLAN.accepted += 1
        events.request.fire(
            request_type="POST", name="InvokeEndpointAsync", response_time=latency * 1000,
            response_length=0, exception=None if exchange.status == 202 else exchange.status,
        )


def plan_done() -> bool:
    with _lock:
        return PLAN.accepted >= int(PLAN.data["count"]) or time.monotonic() > PLAN.deadline


def main(argv: list[str]) -> int:
    global PLAN
    plan_path, record_path = Path(argv[0]), Path(argv[1])
    PLAN = Plan(json.loads(plan_path.read_text()))
    env = Environment(user_classes=[InvokeUser], events=events)
    runner = env.create_local_runner()
    runner.start(int(PLAN.data["users"]), spawn_rate=float(PLAN.data["spawn_rate"]))
    # Bounded: the plan's budget plus a grace period, whatever the users do.
    wait_until(plan_done, timeout=PLAN.deadline + 30 - time.monotonic(), interval=0.1,
               growth=1.0, sleep=gevent.sleep)  # fmt: skip
    runner.quit()
    with record_path.open("w") as out:
        for record in PLAN.records:
            out.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
