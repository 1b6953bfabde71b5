"""Run a burst: the Locust driver in processes of its own, and the fault command.

This side never imports Locust (it patches the standard library with gevent); it
starts ``python -m conformance.load.driver`` in local mode, or a master and its
workers (on this machine, or a master that waits for workers started elsewhere),
runs the user's fault command at its time, and reads the records back. Every
process is bounded by the plan's budget and killed past it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DRIVER = [sys.executable, "-m", "conformance.load.driver"]
# Past the budget: start-up, stopping the users, workers sending their records.
PROCESS_GRACE_S = 120.0
FAULT_DEADLINE_S = 120.0


class BurstError(RuntimeError):
    """The burst engine itself failed (not the target)."""


@dataclass(frozen=True)
class Distribution:
    """Locust's distributed mode: ``workers`` started here, or ``expect`` from elsewhere."""

    workers: int = 0  # worker processes to start on this machine
    expect: int = 0  # workers the master waits for (started here or elsewhere)
    bind: str = "127.0.0.1:0"  # the master's HOST:PORT (0: a free port)

    @property
    def enabled(self) -> bool:
        return self.expect > 0


LIBRARY_MODE = Distribution()


@dataclass
class FaultRun:
    command: str
    at_s: float
    started_at: float = 0.0
    finished_at: float = 0.0
    returncode: int | None = None
    output: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"command": self.command, "at_s": self.at_s, "started_at": self.started_at,
                "finished_at": self.finished_at, "returncode": self.returncode,
                "output": self.output[-500:]}


@dataclass
class BurstRun:
    records: list[dict[str, Any]]
    started_at: float
    finished_at: float
    stopped_because: str
    faults: list[FaultRun] = field(default_factory=list)
    mode: str = "local"

    @property
    def seconds(self) -> float:
        return self.finished_at - self.started_at


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _fault_timer(fault: FaultRun, env: Mapping[str, str]) -> threading.Timer:
    def run() -> None:
        fault.started_at = time.time()
        try:
            done = subprocess.run(
                fault.command, shell=True, capture_output=True, text=True,
                timeout=FAULT_DEADLINE_S, env=dict(env),
            )
            fault.returncode, fault.output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            fault.returncode, fault.output = -1, f"did not finish in {FAULT_DEADLINE_S:.0f} s"
        fault.finished_at = time.time()

    timer = threading.Timer(fault.at_s, run)
    timer.daemon = True
    return timer


def run_burst(
    plan: dict[str, Any],
    *,
    distribution: Distribution = LIBRARY_MODE,
    fault_command: str | None = None,
    fault_at: float = 0.0,
    fault_env: Mapping[str, str] | None = None,
    worker_env: Mapping[str, str] | None = None,
) -> BurstRun:
    """Send the plan's burst; return every record (one per request sent)."""
    timeout = float(plan["budget_s"]) + PROCESS_GRACE_S
    faults = [FaultRun(fault_command, fault_at)] if fault_command else []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="conformance-load-") as tmp:
        plan_path, record_path = Path(tmp, "plan.json"), Path(tmp, "records.jsonl")
        plan_path.write_text(json.dumps(plan))
        plan_path.chmod(0o600)  # it holds the run's credentials
        processes: list[subprocess.Popen[bytes]] = []
        if distribution.enabled:
            host, _, port = distribution.bind.rpartition(":")
            host = host or "127.0.0.1"
            bind = f"{host}:{port if port not in ('', '0') else _free_port(host)}"
            main = [*DRIVER, "master", str(plan_path), str(record_path), "--bind", bind,
                    "--expect-workers", str(distribution.expect)]
            mode = f"distributed (master, {distribution.expect} workers)"
        else:
            main = [*DRIVER, "local", str(plan_path), str(record_path)]
            mode = "local"
        timers = [_fault_timer(f, {**env, **(fault_env or {})}) for f in faults]
        started = time.time()
        try:
            processes.append(subprocess.Popen(main, env=env))
            if distribution.enabled:
                connect = "127.0.0.1" if host in ("0.0.0.0", "*", "") else host
                for _ in range(distribution.workers):
                    processes.append(subprocess.Popen(
                        [*DRIVER, "worker", "--master", f"{connect}:{bind.rpartition(':')[2]}"],
                        env={**env, **(worker_env or {})},
                    ))
            for timer in timers:
                timer.start()
            code = processes[0].wait(timeout)
            for worker in processes[1:]:
                worker.wait(60)
        except subprocess.TimeoutExpired as exc:
            raise BurstError(f"the load driver did not stop within {timeout:.0f} s") from exc
        finally:
            for timer in timers:
                timer.cancel()
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
        finished = time.time()
        for fault in faults:  # a fault still running is waited for, bounded
            deadline = time.monotonic() + FAULT_DEADLINE_S
            while fault.started_at and not fault.finished_at and time.monotonic() < deadline:
                time.sleep(0.1)
        if code != 0 or not record_path.is_file():
            raise BurstError(f"the load driver ({shlex.join(main[2:4])}) exited with {code}")
        lines = record_path.read_text().splitlines()
    header = json.loads(lines[0]) if lines else {}
    records = [json.loads(line) for line in lines[1:]]
    return BurstRun(records, started, finished, str(header.get("stopped_because", "")),
                    [f for f in faults if f.started_at], mode)
