"""Opening a target for ``diff`` and ``explore``: ``reference``, ``moto`` or a target file.

``reference`` starts an embedded stack (its own moto, probe and reference service,
fresh random names); ``moto`` starts a moto_server of the project's on a free
loopback port and creates the endpoint in it; anything else is a target file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance.session import ConformanceSession
from conformance.target import ConfigurationError, resolve_target

MOTO_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextlib.contextmanager
def open_target(
    name: str,
    *,
    outcome_deadline: float | None = None,
    parts: Any = None,
) -> Iterator[ConformanceSession]:
    """A preflighted session against ``name``; everything started is stopped after."""
    options: dict[str, Any] = {"outcome_deadline": outcome_deadline}
    with contextlib.ExitStack() as stack:
        if name in {"reference", "embedded"}:
            from conformance.embedded import start_embedded

            embedded, settings = start_embedded(clock_scale=0.05, parts=parts)
            stack.callback(embedded.stop)
            env = dict(settings.env)
            options.update(
                clock_scale=settings.clock_scale,
                scenario_endpoint_name=settings.scenario_endpoint_name,
            )
            target = resolve_target(options, env, embedded_env=env)
            session = ConformanceSession(target, credentials_env=env)
        elif name == "moto":
            from conformance_deploy.moto import moto_server, prepare_moto

            url = stack.enter_context(moto_server())
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            path = prepare_moto(url, folder / "moto.toml", expectations=False, out=lambda _: None)
            target = resolve_target({**options, "target": str(path)}, {**os.environ, **MOTO_ENV})
            session = ConformanceSession(target, credentials_env=MOTO_ENV)
        else:
            if not Path(name).is_file():
                raise ConfigurationError(
                    f"target {name!r}: not 'reference', 'moto' or an existing target file"
                )
            target = resolve_target({**options, "target": name}, os.environ)
            session = ConformanceSession(target)
        session.preflight()
        try:
            yield session
        finally:
            session.close()
