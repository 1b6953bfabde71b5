"""Burst benchmark: the reference vs moto_server's own InvokeEndpointAsync, same run.

    /work/venv/bin/python benchmarks/burst.py [--requests 1000] [--threads 32]

Reports stack start time, accepted invocations/s for a burst of signed requests
from threads (reference and moto side by side, same endpoint, same input), the
time until the reference has written every outcome of the burst, and completion
latency (send -> output object readable) p50/p95 for small payloads at low load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config

from deadline_wait import wait_for
from reference.endpoints import S3Uri
from reference.stack import EmbeddedStack, StackSettings
from reference.testing import clients, object_exists


def runtime(settings: StackSettings, url: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
        region_name=settings.region,
    ).client("sagemaker-runtime", endpoint_url=url,
             config=Config(max_pool_connections=64, retries={"max_attempts": 1}))


def burst(client: Any, settings: StackSettings, location: str, n: int, threads: int):
    def send(_: int) -> dict[str, Any]:
        return client.invoke_endpoint_async(
            EndpointName=settings.endpoint_name, InputLocation=location
        )

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        responses = list(pool.map(send, range(n)))
    elapsed = time.perf_counter() - began
    statuses = {r["ResponseMetadata"]["HTTPStatusCode"] for r in responses}
    return responses, elapsed, statuses


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--max-concurrency", type=int, default=8)
    args = parser.parse_args()

    began = time.perf_counter()
    stack = EmbeddedStack(clock_scale=0.05, max_concurrency=args.max_concurrency)
    settings = stack.start()
    print(f"stack start: {time.perf_counter() - began:.2f} s  {settings.timings}")
    try:
        aws = clients(settings)
        location = S3Uri.parse(settings.input_s3).join("bench.json")
        aws["s3"].put_object(Bucket=location.bucket, Key=location.key, Body=b"{}")
        reference = runtime(settings, settings.service_url)
        moto = runtime(settings, settings.moto_url)
        for client in (reference, moto):
            burst(client, settings, str(location), 20, 4)  # warm connections and caches
        results = {}
        # moto first: the reference's burst leaves moto busy with S3/SNS work.
        for name, client in (("moto_server", moto), ("reference", reference)):
            responses, elapsed, statuses = burst(
                client, settings, str(location), args.requests, args.threads
            )
            results[name] = responses
            print(f"{name:12s} accepted {len(responses)} in {elapsed:.2f} s = "
                  f"{len(responses) / elapsed:.0f}/s (status {sorted(statuses)})")
        began = time.perf_counter()
        pending = list(results["reference"])

        def all_written() -> bool | None:
            while pending and object_exists(aws["s3"], pending[-1]["OutputLocation"]):
                pending.pop()
            return True if not pending else None

        wait_for(all_written, timeout=600, what="every burst outcome", interval=0.1)
        print(f"reference wrote all {args.requests} outcomes "
              f"{time.perf_counter() - began:.2f} s after the burst was accepted "
              f"(MaxConcurrentInvocationsPerInstance={args.max_concurrency})")

        def timed(_: int) -> float:
            start = time.perf_counter()
            response = reference.invoke_endpoint_async(
                EndpointName=settings.endpoint_name, Body=b'{"tag": "lat"}'
            )
            uri = response["OutputLocation"]
            wait_for(lambda: True if object_exists(aws["s3"], uri) else None,
                     timeout=30, what=uri, interval=0.005)
            return time.perf_counter() - start

        with ThreadPoolExecutor(4) as pool:
            latencies = list(pool.map(timed, range(args.latency_samples)))
        print(f"completion latency (small inline payloads, 4 clients, "
              f"{args.latency_samples} samples): p50 {percentile(latencies, 50) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 95) * 1000:.0f} ms")
    finally:
        began = time.perf_counter()
        stack.stop()
        print(f"stack stop: {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
