"""`python -m reference.probe [serve] [--host H] [--port 8080]`.

SageMaker starts inference images with the single argument `serve`, so it is
accepted and ignored.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aiohttp import web

from reference.probe.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.probe", description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["serve"], help="SageMaker's start argument")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    # run_app handles SIGINT/SIGTERM and shuts down gracefully.
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
