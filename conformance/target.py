"""Which target a run judges, resolved from options, the target file and the environment.

Precedence: command-line options win over the target file, the file over the
environment (``CONFORMANCE_*`` and botocore's own ``AWS_ENDPOINT_URL_<SERVICE>``
variables, profile and credential chain). With no target named anywhere the
suite starts the embedded reference stack.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.s3uri import S3Location
from spec.catalogue import DEFAULT_PROFILES, PROFILES
from spec.revisions import CURRENT, REVISIONS, normalize

SERVICES = ("sagemaker_runtime", "sagemaker", "s3", "sns", "sqs")
ENV_ENDPOINT = {service: f"AWS_ENDPOINT_URL_{service.upper()}" for service in SERVICES}
EMBEDDED = "embedded"
# Names that mean the in-process reference stack; its claims are in targets/reference.toml.
EMBEDDED_NAMES = (EMBEDDED, "reference")
SHIPPED_TARGETS = Path(__file__).parent / "targets"


class ConfigurationError(Exception):
    """The run cannot start as configured; the message says what to fix."""


@dataclass(frozen=True)
class Target:
    """A fully resolved target: everything the suite needs to reach and judge it."""

    name: str
    endpoint_name: str
    input_s3: str
    revision: str = CURRENT
    profiles: tuple[str, ...] = DEFAULT_PROFILES
    probe: bool = True
    clock_scale: float = 1.0
    region: str = "us-east-1"
    endpoints: Mapping[str, str] = field(default_factory=dict)
    expectations: Path | None = None
    queue_url: str | None = None
    aws: bool = False
    embedded: bool = False
    file_async_config: Mapping[str, Any] | None = None
    instance_type: str | None = None
    outcome_deadline: float = 30.0
    # An endpoint of the same config kept for the slow scenarios, so their hold on
    # every worker does not delay the other checks; the main endpoint when unset.
    scenario_endpoint_name: str | None = None
    source: str = "environment"

    @property
    def input_bucket(self) -> str:
        return parse_s3_uri(self.input_s3)[0]

    @property
    def input_prefix(self) -> str:
        return parse_s3_uri(self.input_s3)[1]

    def endpoint_url(self, service: str) -> str | None:
        return self.endpoints.get(service) or None

    def claims(self, profile: str) -> bool:
        return profile in self.profiles

    def describe(self) -> dict[str, Any]:
        """What reports may show about the target: never credentials."""
        return {
            "name": self.name,
            "endpoint_name": self.endpoint_name,
            "urls": {k: v for k, v in self.endpoints.items() if v},
            "region": self.region,
            "revision": self.revision,
            "profiles": list(self.profiles),
            "probe": self.probe,
            "clock_scale": self.clock_scale,
            "aws": self.aws,
            "instance_type": self.instance_type,
            "scenario_endpoint_name": self.scenario_endpoint_name,
            "embedded": self.embedded,
            "input_s3": self.input_s3,
        }


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix without leading slash)."""
    try:
        location = S3Location.parse(uri)
    except ValueError as exc:
        raise ConfigurationError(f"input_s3={exc}") from None
    return location.bucket, location.prefix


def wants_embedded(options: Mapping[str, Any], env: Mapping[str, str]) -> bool:
    """True when no target is named anywhere, or the embedded one is named."""
    if options.get("target"):
        return options["target"] in EMBEDDED_NAMES
    if options.get("endpoint_name"):
        return False
    return not env.get("CONFORMANCE_ENDPOINT_NAME")


def resolve_target(
    options: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    *,
    embedded_env: Mapping[str, str] | None = None,
) -> Target:
    """Merge options > target file > environment into a :class:`Target`.

    ``embedded_env`` is the environment the embedded stack prints; it stands in
    for the user's environment when the embedded target runs.
    """
    env = dict(os.environ if env is None else env)
    if embedded_env is not None:
        env.update(embedded_env)
    file_values, file_dir = _target_file_values(options.get("target"))

    def pick(option: str, file_key: str, env_key: str | None = None) -> Any:
        if options.get(option) is not None:
            return options[option]
        if file_values.get(file_key) is not None:
            return file_values[file_key]
        if env_key and env.get(env_key):
            return env[env_key]
        return None

    endpoint_name = pick("endpoint_name", "endpoint_name", "CONFORMANCE_ENDPOINT_NAME")
    if not endpoint_name:
        raise ConfigurationError(
            "no endpoint name: pass --endpoint-name, set endpoint_name in the target file, "
            "or export CONFORMANCE_ENDPOINT_NAME"
        )
    input_s3 = pick("input_s3", "input_s3", "CONFORMANCE_INPUT_S3")
    if not input_s3:
        raise ConfigurationError(
            "no input location: pass --input-s3 s3://bucket/prefix, set input_s3 in the target "
            "file, or export CONFORMANCE_INPUT_S3 (the suite writes its inputs there)"
        )
    parse_s3_uri(str(input_s3))

    revision_name = pick("revision", "revision", "CONFORMANCE_REVISION") or CURRENT
    try:
        revision = normalize(str(revision_name))
    except (KeyError, ValueError) as exc:
        raise ConfigurationError(
            f"revision={revision_name!r} is unknown; known revisions: {', '.join(REVISIONS)}"
        ) from exc

    profiles = _profiles(pick("profiles", "profiles", "CONFORMANCE_PROFILES"))
    probe = _boolean(pick("probe", "probe", "CONFORMANCE_PROBE"), default=True, name="probe")
    clock_scale = _clock_scale(pick("clock_scale", "clock_scale", "CONFORMANCE_CLOCK_SCALE"))
    outcome_deadline = _positive(
        pick("outcome_deadline", "outcome_deadline", "CONFORMANCE_OUTCOME_DEADLINE") or 30.0,
        name="outcome_deadline",
    )
    region = (
        options.get("region")
        or file_values.get("region")
        or env.get("AWS_REGION")
        or env.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )

    endpoints: dict[str, str] = {}
    file_endpoints = file_values.get("endpoints") or {}
    for service in SERVICES:
        url = file_endpoints.get(service) or env.get(ENV_ENDPOINT[service])
        if url:
            if not str(url).startswith(("http://", "https://")):
                raise ConfigurationError(
                    f"endpoint URL for {service}={url!r} must start with http:// or https://"
                )
            endpoints[service] = str(url)

    expectations_value = options.get("expectations") or file_values.get("expectations")
    expectations = None
    if expectations_value:
        expectations = Path(str(expectations_value))
        if not expectations.is_absolute() and options.get("expectations") is None and file_dir:
            expectations = file_dir / expectations
        if not expectations.is_file():
            raise ConfigurationError(f"expectations file {expectations} does not exist")

    notifications = file_values.get("notifications") or {}
    embedded = embedded_env is not None
    return Target(
        name=str(
            file_values.get("name") or ("reference (embedded)" if embedded else endpoint_name)
        ),
        endpoint_name=str(endpoint_name),
        input_s3=str(input_s3),
        revision=revision,
        profiles=profiles,
        probe=probe,
        clock_scale=clock_scale,
        region=str(region),
        endpoints=endpoints,
        expectations=expectations,
        queue_url=notifications.get("queue_url"),
        aws=bool(file_values.get("aws", False)),
        embedded=embedded,
        file_async_config=file_values.get("async_config"),
        instance_type=(file_values.get("deployment") or {}).get("instance_type"),
        outcome_deadline=outcome_deadline,
        scenario_endpoint_name=pick(
            "scenario_endpoint_name",
            "scenario_endpoint_name",
            "CONFORMANCE_SCENARIO_ENDPOINT_NAME",
        ),
        source=str(options.get("target") or ("embedded" if embedded else "environment")),
    )


def target_file_profiles(value: str | None) -> tuple[str, ...] | None:
    """The profiles a target file claims, None when it names none (or there is none)."""
    try:
        values, _ = _target_file_values(value)
        profiles = values.get("profiles")
        return _profiles(profiles) if profiles is not None else None
    except ConfigurationError:
        return None  # the plugin reports a broken target file itself


def _target_file_values(value: str | None) -> tuple[dict[str, Any], Path | None]:
    if not value:
        return {}, None
    if value in EMBEDDED_NAMES:
        value = str(SHIPPED_TARGETS / "reference.toml")
    path = Path(value)
    if not path.exists() and (SHIPPED_TARGETS / f"{value}.toml").exists():
        path = SHIPPED_TARGETS / f"{value}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in SHIPPED_TARGETS.glob("*.toml")))
        raise ConfigurationError(
            f"target file {value} does not exist (shipped targets: {shipped or 'none'})"
        )
    from conformance.targetfile import TargetFileError, load_target_file

    try:
        loaded = load_target_file(path)
    except TargetFileError as exc:
        raise ConfigurationError(str(exc)) from exc
    return _as_plain(loaded), path.parent


def _as_plain(value: Any) -> Any:
    """A TargetFile (dataclasses, tuples) as plain dicts and lists."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # ``source`` is where the file was read from, not part of the format.
        return {
            f.name: _as_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "source"
        }
    if isinstance(value, Mapping):
        return {k: _as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_plain(v) for v in value]
    return value


def _profiles(value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_PROFILES
    items = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    items = [p for p in items if p]
    unknown = [p for p in items if p not in PROFILES]
    if unknown:
        raise ConfigurationError(
            f"profiles={','.join(unknown)} unknown; known profiles: {', '.join(PROFILES)}"
        )
    return tuple(items)


def _boolean(value: Any, *, default: bool, name: str) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a boolean (use true or false)")


def _positive(value: Any, *, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{name}={value!r} is not a number of seconds") from exc
    if number <= 0:
        raise ConfigurationError(f"{name}={value!r} must be more than 0 seconds")
    return number


def _clock_scale(value: Any) -> float:
    if value is None:
        return 1.0
    try:
        scale = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"clock_scale={value!r} is not a number") from exc
    if not 0 < scale <= 1:
        raise ConfigurationError(
            f"clock_scale={value!r} must be in (0, 1]: 1 is real time, 0.05 runs TTLs 20x faster"
        )
    return scale
