"""`conformance load`: the `load` profile as a command, with faults and distributed mode.

Without ``--target`` it starts the embedded reference with its service in a process of
its own (restarted when it dies) and accepted requests in a durable queue, so
``--fault-command 'kill -KILL $(cat $CONFORMANCE_SERVICE_PIDFILE)'`` crashes it
mid-burst. Then it runs the `load` checks (``conformance run --profiles load``) with
the burst's shape in ``CONFORMANCE_LOAD`` and writes the usual artefacts
(results.json, report.html with the figures and the plot, summary.md, junit.xml).

Safety: against a target that is not on loopback it prints the projected request
count and cost and stops unless ``--yes-this-is-my-endpoint`` is given.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.load.mix import Mix, MixError

DEFAULT_COUNT = {"quick": 200, "standard": 1000, "thorough": 10_000}
DEFAULT_REPORT_DIR = "load-report"
# What one Python process of this machine drives, roughly (measured: ~300-450/s on
# two shared cores); a --target-rate far above it cannot be honoured.
RATE_PER_DRIVER_PROCESS = 400.0
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    size = parser.add_argument_group("burst")
    size.add_argument("--depth", choices=sorted(DEFAULT_COUNT), default="standard",
                      help="default count: 200 quick, 1,000 standard, 10,000 thorough")
    size.add_argument("--count", type=int, help="accepted requests wanted (default by depth)")
    size.add_argument("--users", type=int, default=20, help="Locust users (default 20)")
    size.add_argument("--spawn-rate", type=float, default=50.0, help="users started per second")
    size.add_argument("--target-rate", type=float,
                      help="requests per second in total (paced users) instead of flat out")
    size.add_argument("--budget", type=float, help="seconds the burst may take at most "
                      "(default: count/10, at least 120)")
    size.add_argument("--mix", default="", help="request mix KIND=SHARE,... (kinds: s3, inline, "
                      "named, model-error, timeout, ttl, invalid; default "
                      "s3=75,inline=10,named=5,model-error=4,timeout=1,ttl=3,invalid=2)")
    size.add_argument("--settle", type=float,
                      help="seconds to wait for every outcome after the burst (default: "
                      "count/5, at least 300: a backlog drains at the target's pace)")
    size.add_argument("--quiet", type=float,
                      help="seconds of no change before judging (default 3; with a fault, "
                      "the durable queue's visibility timeout + 5)")
    target = parser.add_argument_group("target")
    target.add_argument("--target", metavar="FILE|moto",
                        help="a target file or shipped name; default: the embedded reference")
    target.add_argument("--yes-this-is-my-endpoint", action="store_true",
                        help="confirm a burst against a target that is not on loopback")
    target.add_argument("--max-concurrency", type=int, default=4,
                        help="embedded: MaxConcurrentInvocationsPerInstance (default 4)")
    target.add_argument("--clock-scale", type=float, default=0.05, help="embedded clock scale")
    target.add_argument("--visibility", type=float, default=10.0,
                        help="embedded: seconds before a crashed service's jobs come back")
    faults = parser.add_argument_group("faults")
    faults.add_argument("--fault-command", help="a shell command run mid-burst; the embedded "
                        "service's pid is in the file $CONFORMANCE_SERVICE_PIDFILE")
    faults.add_argument("--fault-at", type=float, default=5.0,
                        help="seconds after the burst starts (default 5)")
    dist = parser.add_argument_group("Locust distributed mode")
    dist.add_argument("--workers", type=int, default=0,
                      help="start this many Locust workers here, with a master (default 0: "
                      "library mode, one process)")
    dist.add_argument("--master", action="store_true",
                      help="be the master only; workers are started elsewhere with --worker")
    dist.add_argument("--bind", default="127.0.0.1:5557",
                      help="the master's HOST:PORT (default 127.0.0.1:5557)")
    dist.add_argument("--expect-workers", type=int, default=0,
                      help="workers the master waits for before the burst")
    dist.add_argument("--worker", action="store_true",
                      help="be a worker: connect to --master-host and send its share")
    dist.add_argument("--master-host", default="127.0.0.1:5557", help="the master's HOST:PORT")
    parser.add_argument("--report-dir", default=DEFAULT_REPORT_DIR,
                        help=f"artefacts (default {DEFAULT_REPORT_DIR}/)")


def _usage(message: str) -> int:
    print(f"conformance load: {message}", file=sys.stderr)
    return EXIT_USAGE


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback
                       for a in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def projected(count: int, mix: Mix) -> dict[str, Any]:
    """Requests a burst sends for ``count`` accepted, and their per-request cost."""
    from reports import cost

    sent = round(count / max(1e-9, 1 - mix.share("invalid")))
    requests_usd = count * (
        cost.S3_PUTS_PER_INVOCATION * cost.S3_PUT_USD + 2 * cost.S3_GET_USD
        + cost.SNS_PUBLISH_USD + cost.SQS_REQUESTS_PER_INVOCATION * cost.SQS_REQUEST_USD
    )
    return {"requests": sent, "accepted": count, "requests_usd": round(requests_usd, 4)}


def _options(args: argparse.Namespace, count: int) -> dict[str, Any]:
    budget = args.budget if args.budget is not None else max(120.0, count / 10)
    quiet = args.quiet
    if quiet is None:
        quiet = args.visibility + 5 if args.fault_command else 3.0
    distributed = args.workers > 0 or args.master
    return {
        "count": count, "users": args.users, "spawn_rate": args.spawn_rate,
        "target_rate": args.target_rate, "budget": budget, "mix": args.mix,
        "settle": args.settle if args.settle is not None else max(300.0, count / 5),
        "quiet": quiet, "fault_command": args.fault_command,
        "fault_at": args.fault_at, "workers": args.workers,
        "expect_workers": (args.expect_workers or args.workers) if distributed else 0,
        "bind": args.bind,
    }


def _check(args: argparse.Namespace, count: int) -> str | None:
    if count <= 0:
        return f"--count {count}: a burst needs at least one accepted request"
    if args.users <= 0 or args.spawn_rate <= 0 or (args.budget is not None and args.budget <= 0):
        return "--users, --spawn-rate and --budget must be positive"
    if args.max_concurrency <= 0:
        return (f"--max-concurrency {args.max_concurrency}: zero capacity, nothing could "
                "ever run (MaxConcurrentInvocationsPerInstance is 1-1000)")
    if args.master and (args.expect_workers or args.workers) <= 0:
        return "--master needs --expect-workers N (the workers started elsewhere)"
    if args.target_rate is not None:
        if args.target_rate <= 0:
            return f"--target-rate {args.target_rate}: must be positive"
        processes = max(1, args.workers or args.expect_workers)
        most = RATE_PER_DRIVER_PROCESS * processes
        if args.target_rate > most:
            return (f"--target-rate {args.target_rate:g}/s is beyond what {processes} driver "
                    f"process(es) of this machine can send (about {most:g}/s): add --workers "
                    "or lower the rate")
    return None


def run(args: argparse.Namespace) -> int:
    if args.worker:
        driver = [sys.executable, "-m", "conformance.load.driver", "worker",
                  "--master", args.master_host]
        return subprocess.call(driver)
    count = args.count if args.count is not None else DEFAULT_COUNT[args.depth]
    problem = _check(args, count)
    if problem:
        return _usage(problem)
    try:
        mix = Mix.parse(args.mix)
    except MixError as exc:
        return _usage(str(exc))
    options = _options(args, count)
    if args.target:
        return _against(args, options, mix)
    return _against_embedded(args, options)


def _against(args: argparse.Namespace, options: dict[str, Any], mix: Mix) -> int:
    from conformance.target import ConfigurationError, resolve_target

    try:
        target = resolve_target({"target": args.target}, os.environ)
    except ConfigurationError as exc:
        return _usage(str(exc))
    url = target.endpoint_url("sagemaker_runtime") or (
        f"https://runtime.sagemaker.{target.region}.amazonaws.com")
    plan = projected(options["count"], mix)
    print(f"conformance load: {plan['requests']} requests ({plan['accepted']} to be accepted) "
          f"to {url}, endpoint {target.endpoint_name}; S3/SNS/SQS requests about "
          f"${plan['requests_usd']} plus the endpoint's instance time while it runs")
    if not is_loopback(url) and not args.yes_this_is_my_endpoint:
        return _usage(f"{url} is not on loopback: a burst there costs money and load on "
                      "someone's endpoint; run again with --yes-this-is-my-endpoint if it is yours")
    return _run_checks(args, options, env={}, target=args.target)


def _against_embedded(args: argparse.Namespace, options: dict[str, Any]) -> int:
    from conformance.embedded import start_embedded

    stack, settings = start_embedded(
        clock_scale=args.clock_scale, max_concurrency=args.max_concurrency,
        service_process=True, durable_visibility=args.visibility,
    )
    try:
        env = {**settings.env, "CONFORMANCE_SERVICE_PIDFILE": settings.service_pidfile}
        code = _run_checks(args, options, env=env, target=None,
                           extra=["--revision", "2026", "--probe",
                                  "--clock-scale", str(args.clock_scale)])
        if stack.process is not None:
            print(f"conformance load: the reference service was restarted "
                  f"{len(stack.process.restarts)} time(s) (exit codes {stack.process.exits})")
            _add_restarts(Path(args.report_dir), stack.process)
        return code
    finally:
        stack.stop()


def _add_restarts(report_dir: Path, process: Any) -> None:
    path = report_dir / "load-figures.json"
    if path.is_file():
        figures = json.loads(path.read_text())
        figures["service_restarts"] = len(process.restarts)
        figures["service_exit_codes"] = list(process.exits)
        path.write_text(json.dumps(figures, indent=2))


def _run_checks(
    args: argparse.Namespace, options: dict[str, Any], *, env: dict[str, str],
    target: str | None, extra: list[str] | None = None,
) -> int:
    """``conformance run --profiles load`` (only the load checks) with the burst's shape."""
    from conformance_cli.commands import run as run_command

    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    options = {**options, "figures_path": str((report_dir / "load-figures.json").resolve())}
    run_args = argparse.Namespace(
        target=target, report_dir=str(report_dir), rerun_failed=None,
        extra=["--profiles", "load", "--area", "LOAD", "-p", "no:randomly",
               "--depth", args.depth, *(extra or [])],
    )
    for name in ("profiles", "revision", "depth", "probe", "clock_scale"):
        setattr(run_args, name, None)
    previous = {k: os.environ.get(k) for k in [*env, "CONFORMANCE_LOAD"]}
    os.environ.update(env)
    os.environ["CONFORMANCE_LOAD"] = json.dumps(options)
    try:
        return int(run_command.run(run_args))
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
