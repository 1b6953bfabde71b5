"""Every snippet of docs/clients.md runs against the embedded stack, as a user would
run it after `eval "$(conformance serve ...)"`, and prints what the page says.

The CLI snippets need AWS CLI v1 (dev extra: CI), the SDK ones the SageMaker SDK 2.x
and sagemaker-core (`tox -e clients`); each is skipped, saying so, without its client.
Each runs in a child process with the stack's settings, bounded by a deadline, with
every non-loopback address routed to a dead loopback port.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance import clients
from conformance.app_stack import SageMakerAsyncStack, running_stack
from conformance.clients import ClientRunner, client_environment

DOCS = Path(__file__).resolve().parents[1] / "docs" / "clients.md"
SNIPPET = re.compile(r"<!-- snippet: ([\w-]+) -->\n```(sh|python)\n(.*?)```", re.S)


@dataclass(frozen=True)
class Snippet:
    name: str
    language: str
    code: str


def snippets() -> dict[str, Snippet]:
    found = SNIPPET.findall(DOCS.read_text(encoding="utf-8"))
    return {name: Snippet(name, language, code) for name, language, code in found}


# What each snippet must print, and the client it needs.
EXPECTED: dict[str, tuple[str, clients.ClientRequirement | None]] = {
    "cli-flow": ('"tag": "cli-docs"', clients.AWS_CLI_V1),
    "cli-validation": (
        "An error occurred (ValidationError) when calling the InvokeEndpointAsync operation",
        clients.AWS_CLI_V1,
    ),
    "sdk-flow": ('"tag": "sdk-docs"', clients.SAGEMAKER_SDK_V2),
    "sdk-model-error": ("model error: Model returned error", clients.SAGEMAKER_SDK_V2),
    "sdk-no-lingering-waiter": ("bytes; 0 waiter threads left", clients.SAGEMAKER_SDK_V2),
    "sdk-sts-trap": ("default_bucket() needed STS:", clients.SAGEMAKER_SDK_V2),
    "core-flow": ("InService s3://", None),
}


def test_every_snippet_of_the_page_is_tested() -> None:
    assert set(snippets()) == set(EXPECTED)


@pytest.fixture(scope="module")
def stack() -> Iterator[SageMakerAsyncStack]:
    with running_stack(clock_scale=0.05) as running:
        running.s3.put_object(
            Bucket=running.bucket,
            Key=running.input_s3.removeprefix(f"s3://{running.bucket}/") + "docs/input.json",
            Body=b'{"tag": "docs"}',
        )
        yield running


def _runner(stack: SageMakerAsyncStack, workdir: Path) -> ClientRunner:
    settings = stack.settings
    endpoints = {
        service: settings.env[name]
        for service, name in clients.ENV_ENDPOINT.items()
        if name in settings.env
    }
    env = client_environment(
        endpoints=endpoints, region=settings.region, access_key=settings.access_key,
        secret_key=settings.secret_key, session_token=None, home=workdir / "home",
    )  # fmt: skip
    env.update({k: v for k, v in settings.env.items() if k.startswith("CONFORMANCE_")})
    # `aws` as a user types it: the CLI's script beside this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    return ClientRunner(env, workdir)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_snippet_prints_what_the_page_says(
    name: str, stack: SageMakerAsyncStack, tmp_path: Path
) -> None:
    expected, requirement = EXPECTED[name]
    reason = requirement.missing() if requirement else clients.sagemaker_core_missing()
    if reason:
        pytest.skip(reason)
    snippet = snippets()[name]
    runner = _runner(stack, tmp_path)
    if snippet.language == "sh":
        run = runner.shell(name, snippet.code, deadline=120.0)
    else:
        run = runner.python(name, snippet.code, params={}, deadline=120.0)
    assert run.ok, run.summary() + "\n" + run.stdout[-2000:] + run.stderr[-2000:]
    assert expected in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
