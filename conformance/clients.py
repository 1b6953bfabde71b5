"""The real AWS clients, run against a target: AWS CLI v1, the SageMaker Python SDK,
sagemaker-core and boto3's waiters.

Each run is a child process of its own (the CLI as ``python -m awscli``, the SDKs
as a short Python program), so every run is bounded by a deadline that kills it,
an SDK's import cost and global state stay out of the pytest process, and the
evidence is exactly what a user would type and what the client printed.

The child sees only what the target's configuration says: its endpoint URLs
(``AWS_ENDPOINT_URL_<SERVICE>``), the run's credentials and region, a fresh HOME
and AWS config file (no user profile leaks in), the instance metadata service
disabled, and, for a target on loopback, an unreachable loopback proxy for
everything that is not loopback, so a client that ignores the configured
endpoints (the SDK's hard-coded STS URL) fails fast instead of going out.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# What a client printed is target-influenced: read at most this much of each stream.
OUTPUT_LIMIT = 64 * 1024
# The line a Python client program prints its result on (one JSON object).
RESULT_MARK = "CLIENT-RESULT "
# A loopback port nothing listens on: the proxy for non-loopback traffic.
DEAD_PROXY = "http://127.0.0.1:9"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
ENV_ENDPOINT = {
    "sagemaker_runtime": "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    "sagemaker": "AWS_ENDPOINT_URL_SAGEMAKER",
    "s3": "AWS_ENDPOINT_URL_S3",
    "sns": "AWS_ENDPOINT_URL_SNS",
    "sqs": "AWS_ENDPOINT_URL_SQS",
}


@dataclass(frozen=True)
class ClientRequirement:
    """A client the ``clients`` extra installs, and the major version a check needs."""

    distribution: str
    major: str
    label: str

    def missing(self) -> str | None:
        """Why the client cannot run here, or None when it can."""
        try:
            version = metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return (
                f"{self.label} is not installed: pip install 'sagemaker-async-conformance[clients]'"
                " (or tox -e clients)"
            )
        if version.split(".")[0] != self.major:
            return f"{self.label} needs {self.distribution} {self.major}.x; {version} is installed"
        return None

    def version(self) -> str | None:
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return None


AWS_CLI_V1 = ClientRequirement("awscli", "1", "AWS CLI v1")
SAGEMAKER_SDK_V2 = ClientRequirement("sagemaker", "2", "the SageMaker Python SDK 2.x")
BOTO3 = ClientRequirement("boto3", "1", "boto3")


def sagemaker_core_missing() -> str | None:
    """sagemaker-core 1.x (beside SDK 2.x) and 2.x (tox -e clients-core2) both qualify."""
    for major in ("1", "2"):
        if ClientRequirement("sagemaker-core", major, "sagemaker-core").missing() is None:
            return None
    return ClientRequirement("sagemaker-core", "1", "sagemaker-core 1.x or 2.x").missing()


@dataclass(frozen=True)
class ClientRun:
    """One run of a real client: what ran, what it printed, how it ended."""

    client: str
    command: tuple[str, ...]
    code: str | None
    exit_code: int | None  # None: killed at its deadline
    stdout: str
    stderr: str
    elapsed: float
    deadline: float

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def command_line(self) -> str:
        return shlex.join(self.command)

    def json_output(self) -> Any:
        """The CLI's JSON answer (stdout), or None when stdout is not JSON."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def result(self) -> dict[str, Any]:
        """The result line a Python client program printed, or {} when it printed none."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_MARK):
                try:
                    value = json.loads(line[len(RESULT_MARK) :])
                except ValueError:
                    return {}
                return value if isinstance(value, dict) else {}
        return {}

    def summary(self) -> str:
        if self.timed_out:
            return f"{self.client} killed after its {self.deadline:.0f} s deadline"
        tail = (self.stderr.strip().splitlines() or [""])[-1][:300]
        return f"{self.client} exited {self.exit_code} after {self.elapsed:.1f} s" + (
            f": {tail}" if tail and not self.ok else ""
        )

    def to_evidence(self) -> dict[str, Any]:
        evidence: dict[str, Any] = {
            "kind": "client-run",
            "client": self.client,
            "command": self.command_line(),
            "exit_code": self.exit_code,
            "elapsed": round(self.elapsed, 3),
            "deadline": self.deadline,
            "stdout": self.stdout[-4000:],
            "stderr": self.stderr[-4000:],
        }
        if self.code is not None:
            evidence["code"] = self.code
        return evidence


def client_environment(
    *,
    endpoints: Mapping[str, str],
    region: str,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    home: Path,
    config_lines: Sequence[str] = (),
) -> dict[str, str]:
    """The environment a client child process runs in (see the module docstring)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "aws-config"
    config.write_text("[default]\n" + "".join(f"{line}\n" for line in config_lines))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        # The SDK 2.x prints a deprecation banner on import; it is not evidence.
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if session_token:
        env["AWS_SESSION_TOKEN"] = session_token
    for service, url in endpoints.items():
        if url and service in ENV_ENDPOINT:
            env[ENV_ENDPOINT[service]] = url
    urls = [u for u in endpoints.values() if u]
    if urls and all(urlparse(u).hostname in LOOPBACK_HOSTS for u in urls):
        # A loopback target: whatever a client sends elsewhere goes to a dead
        # loopback port (botocore honours the proxy variables), never off the machine.
        env.update(
            HTTPS_PROXY=DEAD_PROXY,
            HTTP_PROXY=DEAD_PROXY,
            NO_PROXY=",".join(LOOPBACK_HOSTS),
        )
    return env


class ClientRunner:
    """Runs clients as child processes in ``env``, each bounded by a deadline."""

    def __init__(self, env: Mapping[str, str], workdir: Path) -> None:
        self.env = dict(env)
        self.workdir = workdir
        self.runs: list[ClientRun] = []
        self._count = 0

    def aws(self, *args: str, deadline: float, env: Mapping[str, str] | None = None) -> ClientRun:
        """``aws <args>`` (AWS CLI v1, as ``python -m awscli``)."""
        command = (sys.executable, "-m", "awscli", *args)
        shown = ("aws", *args)
        return self._run("aws-cli", command, shown, None, deadline, env)

    def shell(self, client: str, script: str, *, deadline: float) -> ClientRun:
        """A shell script (bash, stopping at the first failing command)."""
        self._count += 1
        path = self.workdir / f"{client}-{self._count}.sh"
        path.write_text(script)
        command = ("bash", "-eo", "pipefail", str(path))
        return self._run(client, command, ("bash", path.name), script, deadline, None)

    def python(
        self, client: str, code: str, *, params: Mapping[str, Any], deadline: float
    ) -> ClientRun:
        """A Python client program; ``params`` reach it as JSON in ``sys.argv[1]``."""
        self._count += 1
        script = self.workdir / f"{client}-{self._count}.py"
        script.write_text(code)
        argument = json.dumps(dict(params), sort_keys=True)
        command = (sys.executable, str(script), argument)
        shown = ("python", script.name, argument)
        return self._run(client, command, shown, code, deadline, None)

    def _run(
        self,
        client: str,
        command: tuple[str, ...],
        shown: tuple[str, ...],
        code: str | None,
        deadline: float,
        extra_env: Mapping[str, str] | None,
    ) -> ClientRun:
        self._count += 1
        out_path = self.workdir / f"run-{self._count}.out"
        err_path = self.workdir / f"run-{self._count}.err"
        env = {**self.env, **(extra_env or {})}
        began = time.monotonic()
        with out_path.open("wb") as out, err_path.open("wb") as err:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
            )
            try:
                exit_code: int | None = process.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                _kill(process)
                exit_code = None
        run = ClientRun(
            client=client,
            command=shown,
            code=code,
            exit_code=exit_code,
            stdout=_read_bounded(out_path),
            stderr=_read_bounded(err_path),
            elapsed=time.monotonic() - began,
            deadline=deadline,
        )
        self.runs.append(run)
        return run


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _read_bounded(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(OUTPUT_LIMIT + 1)
    text = data[:OUTPUT_LIMIT].decode("utf-8", "replace")
    return text + ("\n[… output cut at 64 KiB]" if len(data) > OUTPUT_LIMIT else "")
