"""`conformance serve`: run the embedded reference stack until SIGINT/SIGTERM.

Prints one `export NAME=value` line per setting, then `ready`, so a shell can
`eval` the settings and any AWS client can use the stack.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clock-scale", type=float, default=0.05,
        help="multiply TTLs and invocation timeouts by this (default 0.05: a 60 s TTL takes 3 s)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument(
        "--max-concurrency", type=int, default=2,
        help="MaxConcurrentInvocationsPerInstance of the probe endpoint (default 2)",
    )


def run(args: argparse.Namespace) -> int:
    from conformance.embedded import start_embedded

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack, settings = start_embedded(
        clock_scale=args.clock_scale, host=args.host, max_concurrency=args.max_concurrency
    )
    try:
        for name, value in settings.env.items():
            print(f"export {name}={shlex.quote(value)}")
        print("ready", flush=True)
        # Wake periodically so a signal is noticed even if wait() is not interrupted.
        while not stop.wait(0.5):
            pass
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped", file=sys.stderr)
    return 0
