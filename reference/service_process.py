"""The reference service in a process of its own, restarted when it dies.

What a crash test needs: a service process someone can SIGKILL (its pid is in a
file, since a restart changes it), and a supervisor that starts it again on the
same port, as systemd's ``Restart=always`` would. With a durable queue
(``reference.durable``) the new process picks up every job the old one held.
Restarts are bounded, and every one is recorded with its time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

READY_PREFIX = "listening on "
START_DEADLINE = 60.0


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    def __init__(
        self,
        arguments: Sequence[str],
        *,
        env: Mapping[str, str],
        host: str,
        workdir: Path,
        max_restarts: int = 10,
    ) -> None:
        """``arguments``: options of ``python -m reference.service`` but ``--host/--port``."""
        self.host = host
        self.port = free_port(host)
        self.pidfile = workdir / "service.pid"
        self.log_path = workdir / "service.log"
        self._arguments = list(arguments)
        self._env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self._max_restarts = max_restarts
        self._process: subprocess.Popen[str] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self.restarts: list[float] = []  # epoch seconds of each restart
        self.exits: list[int] = []  # return codes of the processes that died

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="service-watch", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        command = [
            sys.executable, "-m", "reference.service",
            "--host", self.host, "--port", str(self.port), *self._arguments,
        ]
        with self.log_path.open("a") as log:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, env=self._env
            )
        deadline = time.monotonic() + START_DEADLINE
        ready = threading.Event()

        def read_ready() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(READY_PREFIX):
                    ready.set()

        threading.Thread(target=read_ready, name="service-stdout", daemon=True).start()
        while not ready.wait(0.05):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(5)
                raise RuntimeError(
                    f"the reference service did not start (exit {process.returncode}); "
                    f"see {self.log_path}"
                )
        with self._lock:
            self._process = process
        self.pidfile.write_text(str(process.pid))

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            try:
                code = process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            if self._stopping.is_set():
                return
            self.exits.append(code)
            if len(self.restarts) >= self._max_restarts:
                return
            self.restarts.append(time.time())
            try:
                self._spawn()
            except RuntimeError:
                return

    def stop(self, grace: float = 30.0) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(5)
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
