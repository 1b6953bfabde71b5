"""Suite benchmark: the figures of issues 8 and 16, side by side in one run.

    /work/venv/bin/python benchmarks/suite.py [--only quick,standard,...] [--repeat N]

1. ``quick`` / ``standard``: wall time of ``conformance run`` at that depth against
   the embedded reference (clock scale as shipped, 0.05).
2. ``real-clock``: a quick ``conformance run --clock-scale 1`` (every check, the slow
   scenarios included) divided by the longest wait the contract forces: the 60 s
   TTL floor plus its set-up, the set-up being a ``conformance run`` of one cheap
   check at the same scale (process start, embedded stack, preflight, reports).
   Target <= 1.25.
3. ``overhead``: invocations/s through the suite's client
   (``ConformanceSession.invoke``) divided by a bare boto3
   ``invoke_endpoint_async`` loop, same calls, alternating rounds. Target >= 0.9.
4. ``burst``: the reference's accepted invocations/s divided by moto_server's, the
   same burst (``benchmarks/burst.py``) against both.
5. ``xdist``: the quick suite under ``pytest -n 2`` (one embedded stack per worker)
   against the same suite serially: speed-up, and that both pass.
6. peak memory of the standard run: the largest summed RSS of the pytest process
   tree, sampled every 0.1 s, and the pytest process's own high-water mark.

7. ``delay``: the standard run against the embedded reference holding every accepted
   request 2 s before a worker picks it up (``--reference-latency 2``), divided by
   the same run without (measured next to it). Goal <= 1.5.
8. the S3/SQS/SNS (and SageMaker control-plane) calls the standard run made, from its
   results.json (``run.api_calls``), and its InvokeEndpointAsync requests.
9. ``projection``: real SageMaker as ``conformance deploy-probe`` makes it (one
   endpoint, one instance, MaxConcurrentInvocationsPerInstance 1, the real clock)
   with a 5 s pickup: a standard run against ``conformance serve --clock-scale 1
   --max-concurrency 1 --latency 5``, plus an allowance of 50 ms of network per
   call made one after another (an upper bound: the watcher's and the submitter's
   calls run beside the checks); endpoint-minutes = that time x 1 instance.

Prints a table and writes ``benchmarks/results/latest.json``. Every figure comes
from this one run; the machine and its load are recorded beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from burst import burst, runtime  # the sibling benchmark, reused

TTL_FLOOR_SECONDS = 60
SEED = "12345"
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
PARTS = (
    "quick", "standard", "delay", "real-clock", "overhead", "burst", "xdist", "projection",
)
PICKUP_DELAY = 2.0
REAL_PICKUP_DELAY = 5.0
# Network per call to AWS, for the projection (a round trip within a region).
AWS_ROUND_TRIP = 0.05
# One cheap check: the set-up a real-clock run pays before any queue exists.
SETUP_ONLY = "test_an_unknown_endpoint_is_a_validation_error"


@dataclass
class Measured:
    """One child process: wall time, exit code, peak memory, the tail of its output."""

    seconds: float
    returncode: int
    peak_tree_rss_mb: float
    peak_main_hwm_mb: float
    tail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "returncode": self.returncode,
            "peak_tree_rss_mb": round(self.peak_tree_rss_mb, 1),
            "peak_main_hwm_mb": round(self.peak_main_hwm_mb, 1),
            "tail": self.tail,
        }


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(p) for p in handle.read().split())
    except (OSError, ValueError):
        pass
    return found


def _tree(pid: int) -> list[int]:
    seen, todo = [], [pid]
    while todo and len(seen) < 10_000:
        current = todo.pop()
        seen.append(current)
        todo.extend(_children(current))
    return seen


def measure(
    command: Sequence[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> Measured:
    """Run ``command``; wall time and peak memory of its process tree (Linux /proc)."""
    began = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True,
            env=env,
        )
        peak_tree = peak_main = 0
        end = began + timeout
        while process.poll() is None:
            if time.perf_counter() > end:
                process.kill()
                process.wait()
                break
            pids = _tree(process.pid)
            peak_tree = max(peak_tree, sum(_status_kb(p, "VmRSS") for p in pids))
            # The pytest process: the deepest python below the wrapper, if any.
            peak_main = max(peak_main, *(_status_kb(p, "VmHWM") for p in pids))
            time.sleep(0.1)
        seconds = time.perf_counter() - began
        log.seek(0)
        tail = "\n".join(log.read().splitlines()[-6:])
    return Measured(seconds, process.returncode, peak_tree / 1024, peak_main / 1024, tail)


def conformance_run(
    work: Path, name: str, *pytest_args: str, timeout: float, env: dict[str, str] | None = None
) -> Measured:
    command = [
        sys.executable, "-m", "conformance", "run", "--report-dir", str(work / name),
        "--hypothesis-seed", SEED, "-q", *pytest_args,
    ]
    return measure(command, cwd=work, timeout=timeout, env=env)


def api_calls_of(report_dir: Path) -> dict[str, Any]:
    """The calls a run made, from its results.json: per service, and its invocations."""
    try:
        run = json.loads((report_dir / "results.json").read_text())["run"]
    except (OSError, ValueError, KeyError):
        return {}
    calls = run.get("api_calls") or {}
    services = calls.get("services") or {}
    return {
        "total": calls.get("total", 0),
        "s3": services.get("s3", {}).get("total", 0),
        "sqs": services.get("sqs", {}).get("total", 0),
        "sns": services.get("sns", {}).get("total", 0),
        "sagemaker": services.get("sagemaker", {}).get("total", 0),
        "invocations": (run.get("target") or {}).get("invocations", 0),
        "operations": {
            f"{service}.{op}": count
            for service, entry in services.items()
            for op, count in (entry.get("operations") or {}).items()
        },
    }


def pytest_run(work: Path, *pytest_args: str, timeout: float) -> Measured:
    command = [
        sys.executable, "-m", "pytest", "--pyargs", "conformance.checks", "-p",
        "no:cacheprovider", "--hypothesis-seed", SEED, "-q", *pytest_args,
    ]
    return measure(command, cwd=work, timeout=timeout)


# -- in-process figures: one stack for the client overhead and the burst --------------


def _rate(send: Callable[[], Any], count: int) -> float:
    began = time.perf_counter()
    for _ in range(count):
        send()
    return count / (time.perf_counter() - began)


class ServedStack:
    """``conformance serve`` in a child process: the stack does not share the GIL
    with the clients being measured. ``settings`` has what ``burst.py`` reads."""

    def __init__(
        self, *, max_concurrency: int, log: Path, extra: Sequence[str] = ()
    ) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "serve", "--max-concurrency",
             str(max_concurrency), *extra],
            stdout=subprocess.PIPE, stderr=self._log, text=True,
        )
        self.env: dict[str, str] = {}
        assert self.process.stdout is not None
        for _ in range(100):
            line = self.process.stdout.readline()
            if not line or line.strip() == "ready":
                break
            if line.startswith("export "):
                name, _, value = line[len("export "):].strip().partition("=")
                self.env[name] = shlex.split(value)[0] if value else ""
        if "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME" not in self.env:
            self.stop()
            raise RuntimeError(f"conformance serve did not start; see {log}")
        env = self.env
        self.settings = SimpleNamespace(
            endpoint_name=env["CONFORMANCE_ENDPOINT_NAME"], input_s3=env["CONFORMANCE_INPUT_S3"],
            access_key=env["AWS_ACCESS_KEY_ID"], secret_key=env["AWS_SECRET_ACCESS_KEY"],
            region=env["AWS_DEFAULT_REGION"], service_url=env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"],
            moto_url=env["AWS_ENDPOINT_URL_S3"],
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def overhead_and_burst(
    parts: set[str], work: Path, *, calls: int, rounds: int, burst_n: int
) -> dict[str, Any]:
    from conformance.session import ConformanceSession
    from conformance.target import resolve_target

    out: dict[str, Any] = {}
    stack = ServedStack(max_concurrency=8, log=work / "serve.log")
    try:
        env, settings = stack.env, stack.settings
        bucket, _, prefix = env["CONFORMANCE_INPUT_S3"][len("s3://"):].partition("/")
        key = prefix.rstrip("/") + "/bench.json"
        location = f"s3://{bucket}/{key}"
        target = resolve_target({"clock_scale": 0.05}, env, embedded_env=env)
        session = ConformanceSession(target, credentials_env=env)
        session.s3.put_object(Bucket=bucket, Key=key, Body=b'{"tag": "bench"}')
        params = {
            "EndpointName": settings.endpoint_name,
            "InputLocation": location,
            "ContentType": "application/json",
            "RequestTTLSeconds": 21600,
        }
        if "overhead" in parts:
            bare = runtime(settings, settings.service_url)

            def through_suite() -> Any:
                return session.invoke(params)

            def through_boto3() -> Any:
                return bare.invoke_endpoint_async(**params)

            suite_rates, bare_rates = [], []
            for send in (through_suite, through_boto3):
                _rate(send, 20)  # warm connections, caches, the model loader
            for index in range(rounds):
                # ABBA: the stack slows as its backlog grows; alternate who goes first.
                order = [(through_suite, suite_rates), (through_boto3, bare_rates)]
                for send, rates in order if index % 2 == 0 else reversed(order):
                    rates.append(_rate(send, calls))
            suite, plain = statistics.median(suite_rates), statistics.median(bare_rates)
            out["overhead"] = {
                "suite_per_s": round(suite, 1),
                "boto3_per_s": round(plain, 1),
                "ratio": round(suite / plain, 3),
                "rounds": rounds,
                "calls_per_round": calls,
                "suite_rounds": [round(r, 1) for r in suite_rates],
                "boto3_rounds": [round(r, 1) for r in bare_rates],
            }
        session.invoker.close()
        if "burst" in parts:
            reference = runtime(settings, settings.service_url)
            moto = runtime(settings, settings.moto_url)
            for client in (reference, moto):
                burst(client, settings, location, 20, 4)
            rates: dict[str, float] = {}
            # moto first: the reference's burst leaves moto busy with S3/SNS work.
            for name, client in (("moto_server", moto), ("reference", reference)):
                responses, elapsed, _ = burst(client, settings, location, burst_n, 32)
                rates[name] = len(responses) / elapsed
            out["burst"] = {
                "reference_per_s": round(rates["reference"], 1),
                "moto_per_s": round(rates["moto_server"], 1),
                "ratio": round(rates["reference"] / rates["moto_server"], 3),
                "requests": burst_n,
            }
    finally:
        stack.stop()
    destroyed = (work / "serve.log").read_text(errors="replace").count("Task was destroyed")
    if destroyed:
        out.setdefault("notes", []).append(
            f"reference stop() left {destroyed} outcome tasks pending (backlog at SIGTERM)"
        )
    return out


# -- the projection for real SageMaker --------------------------------------------------


def projection(work: Path) -> dict[str, Any]:
    """A standard run against the reference as deploy-probe makes real SageMaker (one
    endpoint, one instance, concurrency 1, the real clock) with a 5 s pickup delay."""
    stack = ServedStack(
        max_concurrency=1, log=work / "serve-projection.log",
        extra=["--clock-scale", "1", "--latency", str(REAL_PICKUP_DELAY)],
    )
    try:
        env = {**os.environ, **stack.env}
        measured = conformance_run(
            work, "projection", "--depth", "standard", "--clock-scale", "1",
            timeout=3600, env=env,
        )
    finally:
        stack.stop()
    calls = api_calls_of(work / "projection")
    serial_calls = int(calls.get("total", 0)) + int(calls.get("invocations", 0))
    projected = measured.seconds + AWS_ROUND_TRIP * serial_calls
    return {
        "run": measured.to_dict(),
        "pickup_delay_seconds": REAL_PICKUP_DELAY,
        "round_trip_seconds": AWS_ROUND_TRIP,
        "calls": calls,
        "projected_seconds": round(projected, 1),
        "endpoint_minutes": round(projected / 60, 1),
    }


# -- the run ------------------------------------------------------------------------


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_at_start": _load(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"--only: unknown parts {sorted(unknown)}; known: {', '.join(PARTS)}")
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": SEED,
    }
    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as tmp:
        work = Path(tmp)
        for depth in ("quick", "standard"):
            if depth in parts or (depth == "standard" and "delay" in parts):
                measured = conformance_run(work, depth, "--depth", depth, timeout=1800)
                results[depth] = measured.to_dict()
                print(f"  {depth}: {measured.seconds:.1f} s (exit {measured.returncode})")
        if "standard" in results:
            results["standard"]["api_calls"] = api_calls_of(work / "standard")
        if "delay" in parts:
            # Right after the undelayed standard run, so the two share the machine's load.
            delayed = conformance_run(
                work, "delay", "--depth", "standard", "--reference-latency", str(PICKUP_DELAY),
                timeout=1800,
            )
            results["delay"] = {
                "pickup_delay_seconds": PICKUP_DELAY,
                "run": delayed.to_dict(),
                "undelayed_seconds": results["standard"]["seconds"],
                "ratio": round(delayed.seconds / results["standard"]["seconds"], 3),
                "api_calls": api_calls_of(work / "delay"),
            }
            print(f"  delay {PICKUP_DELAY:.0f} s: {delayed.seconds:.1f} s")
        if "real-clock" in parts:
            setup = conformance_run(
                work, "setup", "--clock-scale", "1", "-k", SETUP_ONLY, timeout=600
            )
            real = conformance_run(
                work, "real", "--depth", "quick", "--clock-scale", "1", timeout=3600
            )
            forced = TTL_FLOOR_SECONDS + setup.seconds
            results["real_clock"] = {
                "run": real.to_dict(),
                "setup": setup.to_dict(),
                "forced_wait_seconds": round(forced, 2),
                "ratio": round(real.seconds / forced, 3),
            }
            print(f"  real clock: {real.seconds:.1f} s / {forced:.1f} s forced")
        if parts & {"overhead", "burst"}:
            results.update(
                overhead_and_burst(
                    parts, work, calls=args.calls, rounds=args.rounds, burst_n=args.burst
                )
            )
            print("  overhead/burst done")
        if "xdist" in parts:
            serial = pytest_run(work, "--depth", "quick", timeout=1800)
            parallel = pytest_run(work, "--depth", "quick", "-n", "2", timeout=1800)
            results["xdist"] = {
                "serial": serial.to_dict(),
                "parallel": parallel.to_dict(),
                "workers": 2,
                "speedup": round(serial.seconds / parallel.seconds, 3),
            }
            print(f"  xdist: {serial.seconds:.1f} s -> {parallel.seconds:.1f} s")
        if "projection" in parts:
            results["projection"] = projection(work)
            print(f"  projection: {results['projection']['projected_seconds']:.0f} s")
    results["machine"]["load_at_end"] = _load()
    return results


def _row(figure: str, value: str, target: str = "", note: str = "") -> str:
    return f"| {figure} | {value} | {target} | {note} |"


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    rows = [
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; "
        f"load {m['load_at_start']} -> {m.get('load_at_end', '?')}; {results['when']}",
        "",
        "| figure | value | target | note |",
        "|---|---|---|---|",
    ]
    for depth in ("quick", "standard"):
        if depth in results:
            r = results[depth]
            rows.append(_row(f"`conformance run --depth {depth}` (scale 0.05)",
                             f"{r['seconds']:.1f} s", "<= 40 s" if depth == "standard" else "",
                             f"exit {r['returncode']}"))
    if "real_clock" in results:
        r = results["real_clock"]
        rows.append(_row(
            "real clock (scale 1, quick) / forced wait", f"{r['ratio']:.2f}", "<= 1.25",
            f"{r['run']['seconds']:.1f} s / (60 s + {r['setup']['seconds']:.1f} s set-up); "
            f"exit {r['run']['returncode']}",
        ))
    if "overhead" in results:
        r = results["overhead"]
        rows.append(_row("suite client / bare boto3 (invocations/s)", f"{r['ratio']:.2f}",
                         ">= 0.9", f"{r['suite_per_s']:.0f}/s vs {r['boto3_per_s']:.0f}/s"))
    if "burst" in results:
        r = results["burst"]
        rows.append(_row("reference / moto_server accepted/s (burst)", f"{r['ratio']:.2f}", "",
                         f"{r['reference_per_s']:.0f}/s vs {r['moto_per_s']:.0f}/s, "
                         f"{r['requests']} requests x 32 threads"))
    if "xdist" in results:
        r = results["xdist"]
        rows.append(_row("`pytest -n 2` speed-up (quick)", f"{r['speedup']:.2f}x", ">= 1.6",
                         f"{r['serial']['seconds']:.1f} s -> {r['parallel']['seconds']:.1f} s; "
                         f"exit {r['serial']['returncode']}/{r['parallel']['returncode']}"))
    if "standard" in results:
        r = results["standard"]
        rows.append(_row("peak memory, standard run", f"{r['peak_tree_rss_mb']:.0f} MB",
                         "<= 300 MB",
                         f"process tree RSS; pytest high-water {r['peak_main_hwm_mb']:.0f} MB"))
        calls = r.get("api_calls") or {}
        if calls:
            rows.append(_row(
                "S3 / SQS / SNS calls, standard run", f"{calls['s3']} / {calls['sqs']} / "
                f"{calls['sns']}", "",
                f"{calls['total']} AWS calls in all ({calls['sagemaker']} SageMaker control "
                f"plane); {calls['invocations']} InvokeEndpointAsync",
            ))
    if "delay" in results:
        r = results["delay"]
        rows.append(_row(
            f"standard, {r['pickup_delay_seconds']:.0f} s pickup delay / none", f"{r['ratio']:.2f}",
            "<= 1.5", f"{r['run']['seconds']:.1f} s / {r['undelayed_seconds']:.1f} s; "
            f"exit {r['run']['returncode']}",
        ))
    if "projection" in results:
        r = results["projection"]
        rows.append(_row(
            f"projected standard run on real SageMaker, {r['pickup_delay_seconds']:.0f} s pickup",
            f"{r['projected_seconds'] / 60:.1f} min, {r['endpoint_minutes']:.1f} "
            "endpoint-minutes", "",
            f"measured {r['run']['seconds']:.0f} s (scale 1, 1 endpoint, 1 instance, "
            f"concurrency 1) + {r['round_trip_seconds'] * 1000:.0f} ms x "
            f"{r['calls'].get('total', 0) + r['calls'].get('invocations', 0)} calls; "
            f"exit {r['run']['returncode']}",
        ))
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(PARTS)}")
    parser.add_argument("--calls", type=int, default=200, help="invocations per overhead round")
    parser.add_argument("--rounds", type=int, default=6, help="alternating overhead rounds")
    parser.add_argument("--burst", type=int, default=1000, help="requests in the burst")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    results = run(args)
    text = table(results)
    results["table"] = text
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten: {args.output}")
    failed = [
        name for name in ("quick", "standard") if results.get(name, {}).get("returncode", 0)
    ]
    if "xdist" in results and results["xdist"]["parallel"]["returncode"]:
        failed.append("xdist")
    if "real_clock" in results and results["real_clock"]["run"]["returncode"]:
        failed.append("real-clock")
    for name in ("delay", "projection"):
        if name in results and results[name]["run"]["returncode"]:
            failed.append(name)
    if failed:
        print(f"runs that did not pass: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
