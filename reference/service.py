"""The reference InvokeEndpointAsync service: `POST /endpoints/{name}/async-invocations`.

Request path: authenticate (SigV4) -> validate (every model constraint) ->
describe the endpoint (control plane) -> assign InferenceId and locations ->
queue -> 202. Workers then call the model container and the finisher writes the
outcome to S3 and notifies SNS. Every policy is a part (`reference.parts`).

Run standalone: `python -m reference.service --help`. Backends (SageMaker
control plane, S3, SNS) are reached the boto3 way, so `AWS_ENDPOINT_URL_*`
variables point it at moto or anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import boto3
from aiohttp import web
from botocore.config import Config

from reference.control_plane import ContainerMap, EndpointCatalog
from reference.durable import DurableQueue, Lease, endpoint_of, job_from_message, open_store
from reference.endpoints import EndpointDescription
from reference.errors import ServiceError, internal_failure, service_unavailable, validation_error
from reference.finisher import Finisher
from reference.jobs import Job
from reference.loop_thread import LoopThread, start_site
from reference.parts import DEFAULT_PARTS, Parts
from reference.request import AsyncRequest, endpoint_label, raw_request
from reference.sigv4 import SignedRequest
from reference.storage import AwsGateway
from reference.workers import EndpointPool, Runtime

log = logging.getLogger(__name__)

# Bodies over the model's 128,000-byte limit must still be read to be rejected
# with a ValidationError; beyond this the connection is refused outright.
MAX_READ_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Backends:
    """How the service reaches SageMaker (control plane), S3 and SNS.

    Empty `endpoint_urls` and no keys = boto3's own resolution (environment,
    profile, `AWS_ENDPOINT_URL_*`).
    """

    endpoint_urls: Mapping[str, str] = field(default_factory=dict)  # "s3", "sns", "sagemaker"
    access_key: str | None = None
    secret_key: str | None = None

    def client(self, service: str, region: str) -> Any:
        # A publish is not idempotent: a retry after a timed-out answer may deliver the
        # notification twice. SNS gets one attempt and a long read timeout; the finisher
        # retries only failures that surely published nothing.
        once = service == "sns"
        config = Config(
            max_pool_connections=64,
            retries={"max_attempts": 1 if once else 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=120 if once else 30,
            s3={"addressing_style": "path"},
        )
        session = boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=region,
        )
        return session.client(service, endpoint_url=self.endpoint_urls.get(service), config=config)


class ReferenceService:
    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        containers: Mapping[str, str],
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        clock_scale: float = 1.0,
        parts: Parts = DEFAULT_PARTS,
        backends: Backends | None = None,
        shutdown_grace: float = 30.0,
        describe_ttl: float = 2.0,
        threads: int = 32,
        pickup_delay: float = 0.0,
        durable_queue_url: str | None = None,
        durable_visibility: float = 30.0,
    ) -> None:
        """`credentials`: access key -> secret accepted from callers.

        `containers`: model image URI -> base URL of the container running it
        (`"*"` matches any image). `shutdown_grace`: how long `stop()` lets
        accepted requests finish before failing the rest (real seconds).
        `pickup_delay`: real seconds each accepted request waits before it is queued
        for a worker (a real endpoint's internal queue and scale-up; 0 = none).
        `durable_queue_url`: where accepted jobs wait until their outcome is written
        (an SQS queue URL or `sqlite:///file`, `reference.durable`), so a crash of this
        process loses none.
        """
        if clock_scale <= 0:
            raise ValueError(f"clock_scale={clock_scale}: must be positive")
        if pickup_delay < 0:
            raise ValueError(f"pickup_delay={pickup_delay}: must be 0 or more")
        self.pickup_delay = pickup_delay
        self.host = host
        self.region = region
        self.clock_scale = clock_scale
        self.parts = parts
        self.shutdown_grace = shutdown_grace
        self._port = port
        self._keys = dict(credentials)
        self._containers = ContainerMap(containers)
        self._backends = backends or Backends()
        self._describe_ttl = describe_ttl
        self._threads = threads
        self._durable_url = durable_queue_url
        self._durable_visibility = durable_visibility
        self._durable: DurableQueue | None = None
        self._pools: dict[tuple[str, str], EndpointPool] = {}
        self._draining = False
        self._thread: LoopThread | None = None
        self.port: int | None = None

    # -- lifecycle -------------------------------------------------------------

    async def astart(self) -> int:
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="reference-aws")
        sagemaker, s3, sns = await asyncio.gather(
            *(
                loop.run_in_executor(self._executor, self._backends.client, name, self.region)
                for name in ("sagemaker", "s3", "sns")
            )
        )
        self._catalog = EndpointCatalog(
            sagemaker, self._containers, self._executor, ttl=self._describe_ttl
        )
        gateway = AwsGateway(s3, sns, self._executor)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=False,
            connector=aiohttp.TCPConnector(limit=0),
        )
        self._finisher = Finisher(self.parts, gateway, self.region)
        self._runtime = Runtime(
            self.parts, gateway, self._session, self._finisher, self.clock_scale,
            pickup_delay=self.pickup_delay,
        )
        app = web.Application(client_max_size=MAX_READ_BYTES)
        app.router.add_route("*", r"/{tail:[\s\S]*}", self._handle)
        if self._durable_url:
            store = await loop.run_in_executor(
                self._executor, open_store, self._durable_url,
                lambda: self._backends.client("sqs", self.region),
            )
            self._durable = DurableQueue(store, visibility=self._durable_visibility)
            self._durable.start(self._deliver)
        self._runner, _, self.port = await start_site(
            app, self.host, self._port, shutdown_timeout=5.0
        )
        return self.port

    async def astop(self, grace: float | None = None) -> None:
        """Stop accepting; finish or fail (with a reason) everything accepted; release all."""
        self._draining = True
        await self._runner.cleanup()  # closes the listener, waits for handlers in flight
        if self._durable is not None:
            await self._durable.stop()
        deadline = time.monotonic() + (self.shutdown_grace if grace is None else grace)
        for pool in self._pools.values():
            pool.keep_queued = self._durable is not None
        await asyncio.gather(*(pool.close(deadline) for pool in self._pools.values()))
        await self._finisher.wait(timeout=30.0)
        await self._session.close()
        self._executor.shutdown(wait=True)

    def start(self) -> int:
        """Run on a private thread and event loop; return the bound port."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = LoopThread("reference-service")
        try:
            return self._thread.call(self.astart())
        except BaseException:
            self._thread.close()
            self._thread = None
            raise

    def stop(self, grace: float | None = None) -> None:
        if self._thread is None:
            return
        budget = (self.shutdown_grace if grace is None else grace) + 60.0
        try:
            self._thread.call(self.astop(grace), timeout=budget)
        finally:
            self._thread.close()
            self._thread = None

    def __enter__(self) -> ReferenceService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def pools(self) -> dict[tuple[str, str], EndpointPool]:
        """The live queues (for introspection in tests); do not mutate."""
        return dict(self._pools)

    # -- the operation -----------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        request_id = str(uuid.uuid4())
        try:
            return await self._invoke_async(request)
        except ServiceError as error:
            return self.parts.responder.error(error, request_id)
        except Exception:
            log.exception("internal failure (request %s)", request_id)
            return self.parts.responder.error(
                internal_failure("An internal error occurred."), request_id
            )

    async def _invoke_async(self, request: web.Request) -> web.Response:
        if self._draining:
            raise service_unavailable("The service is shutting down.")
        label = endpoint_label(request.raw_path)
        if label is None or request.method != "POST":
            raise ServiceError(404, "UnknownOperationException", "Unknown operation.")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise validation_error("Request body is too large.") from None
        headers = self.parts.header_reader.read(request.raw_headers, request.headers)
        signed = SignedRequest(
            method=request.method,
            raw_path=request.raw_path,
            headers=headers,
            body=body,
            all_header_values={name.lower(): headers.getall(name) for name in headers},
        )
        self.parts.authenticator.authenticate(
            signed, keys=self._keys, region=self.region, now=datetime.now(UTC)
        )
        raw = raw_request(label, headers, body)
        problems = self.parts.validator.validate(raw)
        if problems:
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            raise validation_error(f"{count} validation {noun} detected: " + "; ".join(problems))
        typed = AsyncRequest.from_raw(raw)
        endpoint = await self._describe(typed.endpoint_name)
        inference_id = self.parts.inference_ids.assign(typed.inference_id)
        job = Job(
            inference_id=inference_id,
            request=typed,
            endpoint=endpoint,
            locations=self.parts.locations.plan(endpoint, typed, inference_id),
        )
        enqueue = self._pool(endpoint).enqueue if self._durable is None else self._send_durably
        outcome = await self.parts.dispatcher.dispatch(job, enqueue)
        return self.parts.responder.accepted(job, outcome)

    async def _send_durably(self, job: Job) -> None:
        assert self._durable is not None
        try:
            await self._durable.send(job)
        except Exception as exc:  # not queued: the caller must not get a 202
            log.warning("durable queue unavailable: %s", exc)
            raise service_unavailable("The request could not be queued; retry.") from exc

    async def _deliver(self, message: Mapping[str, Any], lease: Lease) -> bool:
        """A job from the durable queue into its endpoint's pool; False to leave it there."""
        try:
            endpoint = await self._catalog.describe(endpoint_of(message))
            job = job_from_message(message, endpoint)
        except Exception as exc:
            log.warning("durable queue: cannot run a message yet: %s", exc)
            return False
        job.done.add_done_callback(
            lambda _: lease.release() if job.outcome_written else lease.abandon()
        )
        await self._pool(endpoint).enqueue(job)
        return True

    async def _describe(self, name: str) -> EndpointDescription:
        try:
            return await self._catalog.describe(name)
        except ServiceError:
            raise
        except Exception as exc:
            log.warning("control plane unavailable: %s", exc)
            raise service_unavailable("The endpoint could not be described; retry.") from exc

    def _pool(self, endpoint: EndpointDescription) -> EndpointPool:
        pool = self._pools.get(endpoint.queue_key)
        if pool is None:
            pool = self._pools[endpoint.queue_key] = EndpointPool(endpoint, self._runtime)
        return pool


# -- standalone ------------------------------------------------------------------


def _pairs(values: Sequence[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"{what}={value!r}: expected NAME=VALUE")
        out[key] = rest
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference.service",
        description="The reference InvokeEndpointAsync service. Backends are found the "
        "boto3 way (AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SNS).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--clock-scale", type=float, default=1.0)
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="ACCESS_KEY=SECRET",
        help="a key pair callers may sign with (default: AWS_ACCESS_KEY_ID/SECRET from env)",
    )
    parser.add_argument(
        "--container",
        action="append",
        default=[],
        metavar="IMAGE=URL",
        help="where the container for a model image runs ('*=URL' for any image)",
    )
    parser.add_argument("--shutdown-grace", type=float, default=30.0)
    parser.add_argument(
        "--durable-queue-url",
        help="an SQS queue URL or sqlite:///FILE: accepted requests wait there, not in "
        "memory, so a crash and restart of this process loses none (at-least-once)",
    )
    parser.add_argument("--durable-visibility", type=float, default=30.0,
                        help="seconds before a crashed process's jobs are delivered again")
    return parser


async def serve(service: ReferenceService) -> None:
    """Serve until SIGINT/SIGTERM, then shut down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    port = await service.astart()
    print(f"listening on http://{service.host}:{port}", flush=True)
    await stop.wait()
    print("stopping: draining accepted requests", flush=True)
    await service.astop()


def main(argv: Sequence[str] | None = None) -> int:
    import os

    args = build_parser().parse_args(argv)
    credentials = _pairs(args.credential, "--credential")
    if not credentials:
        key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not key or not secret:
            print("no --credential and no AWS_ACCESS_KEY_ID/SECRET in env", file=sys.stderr)
            return 2
        credentials = {key: secret}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    service = ReferenceService(
        credentials=credentials,
        containers=_pairs(args.container, "--container"),
        host=args.host,
        port=args.port,
        region=args.region,
        clock_scale=args.clock_scale,
        shutdown_grace=args.shutdown_grace,
        durable_queue_url=args.durable_queue_url,
        durable_visibility=args.durable_visibility,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(service))
    return 0


if __name__ == "__main__":
    sys.exit(main())
