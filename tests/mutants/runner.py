"""Running the suite against a target, the way a user would: pytest in a subprocess.

`SharedStack` is one embedded stack (moto, the probe, one provisioned endpoint)
behind any number of `ReferenceService`s, each built from its own `Parts`: a
mutant or a variant costs a service start (a few milliseconds with shared
clients), not a stack start. `run_suite` runs a selection of the suite against
an environment and returns the results document.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference.parts import Parts
from reference.service import Backends, ReferenceService
from reference.stack import PROBE_IMAGE, EmbeddedStack, StackSettings

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "conformance" / "checks"
CLOCK_SCALE = 0.05
# Parallel suite runs: each is mostly waiting on the target; the CPU it needs
# is its start-up, so a few more than the cores keeps both busy.
OUTPUT_KEPT = 20_000
PARALLEL = int(os.environ.get("CONFORMANCE_TEST_PARALLEL", "6"))
# A frame of an installed library in a traceback, as Python or pytest prints it (not a
# warning's location line).
LIBRARY_FRAME = re.compile(r'File "[^"\n]*site-packages/|site-packages/[^\s:]+:\d+: in ')


def check(module: str, *tests: str) -> tuple[str, ...]:
    """Node ids of `tests` in `conformance/checks/<module>.py` (the whole module if none)."""
    path = str(CHECKS / f"{module}.py")
    return tuple(f"{path}::{t}" for t in tests) if tests else (path,)


WHOLE_SUITE: tuple[str, ...] = ("--pyargs", "conformance.checks")


@dataclass(frozen=True)
class SuiteRun:
    """One run of the suite: its results document, exit code, output and wall time."""

    name: str
    selection: tuple[str, ...]
    document: dict[str, Any]
    returncode: int
    output: str
    seconds: float
    # Measured over the whole output, before it is cut to its tail.
    longest_line: int = 0
    # Python tracebacks and library frames (site-packages) the terminal showed.
    library_traces: int = 0

    def status(self, behaviour: str) -> str:
        for result in self.document.get("behaviours", ()):
            if result["id"] == behaviour:
                return str(result["status"])
        return "missing"

    def statuses(self) -> dict[str, str]:
        return {b["id"]: b["status"] for b in self.document.get("behaviours", ())}

    def with_status(self, *statuses: str) -> list[str]:
        return sorted(b for b, s in self.statuses().items() if s in statuses)

    def judged(self) -> list[str]:
        """Behaviours the selection reached a verdict on (pass, fail, xfail, error)."""
        return self.with_status("pass", "fail", "xfail", "error")

    def nodeids(self) -> set[str]:
        return {
            t["nodeid"]
            for b in self.document.get("behaviours", ())
            for t in b.get("tests", ())
        }

    def messages(self, behaviour: str) -> list[str]:
        for result in self.document.get("behaviours", ()):
            if result["id"] == behaviour:
                return [t.get("message", "") for t in result.get("tests", ())]
        return []

    def describe(self) -> str:
        counts: dict[str, int] = {}
        for status in self.statuses().values():
            counts[status] = counts.get(status, 0) + 1
        failing = {b: self.status(b) for b in self.with_status("fail", "error")}
        return (
            f"{self.name}: exit {self.returncode} in {self.seconds:.1f} s, {counts}, "
            f"failing {failing}\n{self.output[-3000:]}"
        )


def _short_nodeid(nodeid: str) -> str:
    return nodeid.split("/checks/", 1)[-1]


def run_suite(
    name: str,
    env: Mapping[str, str],
    selection: Sequence[str],
    *,
    workdir: Path,
    timeout: float = 300.0,
    extra: Sequence[str] = (),
) -> SuiteRun:
    """Run `selection` of the suite at quick depth against the target `env` points at."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = workdir / f"{name}.json"
    results.unlink(missing_ok=True)
    fuzz = any("test_fuzz" in s or s == "conformance.checks" for s in selection)
    command = [
        sys.executable, "-m", "pytest", *selection,
        "--rootdir", str(ROOT),
        "--depth", "quick",
        "-p", "no:cacheprovider",
        # schemathesis' own pytest plugin costs ~1 s of start-up; only test_fuzz needs it.
        *(() if fuzz else ("-p", "no:schemathesis")),
        "-q",
        "--conformance-results-json", str(results),
        *extra,
    ]
    full_env = {**os.environ, **env}
    full_env.pop("PYTEST_XDIST_WORKER", None)
    full_env.pop("PYTEST_ADDOPTS", None)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, env=full_env, cwd=workdir, capture_output=True, text=True, timeout=timeout
        )
        returncode, whole = done.returncode, done.stdout + done.stderr
        output = whole[-OUTPUT_KEPT:]
    except subprocess.TimeoutExpired as exc:
        returncode = -1
        whole = exc.stdout if isinstance(exc.stdout, str) else ""
        output = f"the suite did not finish within {timeout:.0f} s\n{whole[-OUTPUT_KEPT:]}"
    longest = max((len(line) for line in whole.splitlines()), default=0)
    traces = whole.count("Traceback (most recent call last)") + len(LIBRARY_FRAME.findall(whole))
    seconds = time.monotonic() - started
    document: dict[str, Any] = {}
    if results.is_file():
        document = json.loads(results.read_text(encoding="utf-8"))
    return SuiteRun(
        name, tuple(selection), document, returncode, output, seconds, longest, traces
    )


class SharedBackends:
    """`Backends` whose boto3 clients are built once and shared by every service.

    Building a client loads its service model (~0.2 s of CPU); dozens of
    services against one moto would otherwise spend most of their start there.
    """

    def __init__(self, backends: Backends) -> None:
        self._backends = backends
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self._backends.client(service, region)
            return self._clients[key]


@dataclass
class SharedStack:
    """One embedded stack; `serve(parts)` puts another service in front of it."""

    clock_scale: float = CLOCK_SCALE
    stack: EmbeddedStack | None = None
    settings: StackSettings | None = None
    backends: SharedBackends | None = None
    started: float = field(default=0.0)

    def start(self) -> SharedStack:
        began = time.monotonic()
        self.stack = EmbeddedStack(clock_scale=self.clock_scale)
        self.settings = self.stack.start()
        self.backends = SharedBackends(
            Backends(
                {name: self.settings.moto_url for name in ("sagemaker", "s3", "sns")},
                self.settings.access_key,
                self.settings.secret_key,
            )
        )
        self.started = time.monotonic() - began
        return self

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None

    def env(self, runtime_url: str | None = None) -> dict[str, str]:
        """The suite's environment, optionally pointing the runtime at another URL."""
        assert self.settings is not None
        env = dict(self.settings.env)
        env["CONFORMANCE_CLOCK_SCALE"] = str(self.settings.clock_scale)
        if runtime_url is not None:
            env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = runtime_url
        return env

    @contextlib.contextmanager
    def serve(self, parts: Parts) -> Iterator[ReferenceService]:
        """A reference service built from `parts`, on the shared backends and probe."""
        assert self.settings is not None and self.backends is not None
        service = ReferenceService(
            credentials={self.settings.access_key: self.settings.secret_key},
            containers={PROBE_IMAGE: self.settings.probe_url},
            region=self.settings.region,
            clock_scale=self.settings.clock_scale,
            parts=parts,
            backends=self.backends,  # type: ignore[arg-type]
            shutdown_grace=1.0,
        )
        service.start()
        try:
            yield service
        finally:
            service.stop(grace=1.0)

    def run(
        self,
        name: str,
        parts: Parts,
        selection: Sequence[str],
        *,
        workdir: Path,
        timeout: float = 300.0,
        options: Sequence[str] = (),
    ) -> SuiteRun:
        """Serve `parts` and run `selection` against it."""
        with self.serve(parts) as service:
            return run_suite(
                name,
                self.env(service.url),
                selection,
                workdir=workdir,
                timeout=timeout,
                extra=options,
            )


def run_all(
    jobs: Mapping[str, Callable[[], SuiteRun]], *, parallel: int = PARALLEL
) -> dict[str, SuiteRun]:
    """Run every job (a suite run) in a bounded pool, in the caller's order."""
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="suite-run") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


__all__ = [
    "CLOCK_SCALE",
    "PARALLEL",
    "ROOT",
    "WHOLE_SUITE",
    "SharedBackends",
    "SharedStack",
    "SuiteRun",
    "check",
    "run_all",
    "run_suite",
]
