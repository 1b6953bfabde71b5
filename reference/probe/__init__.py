"""The probe model container, runnable in-process (`ProbeServer`) or as an image."""

from __future__ import annotations

from reference.loop_thread import ThreadedApp
from reference.probe.app import HISTORY_LENGTH, Instructions, create_app, fill

__all__ = ["HISTORY_LENGTH", "Instructions", "ProbeServer", "create_app", "fill"]


class ProbeServer:
    """The probe on its own thread and event loop: `start() -> port`, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = ThreadedApp(create_app, host=host, port=port, name="probe")
        self.host = host

    @property
    def port(self) -> int | None:
        return self._app.port

    @property
    def url(self) -> str:
        if self._app.port is None:
            raise RuntimeError("probe not started")
        return f"http://{self.host}:{self._app.port}"

    def start(self) -> int:
        return self._app.start()

    def stop(self) -> None:
        self._app.stop()

    def __enter__(self) -> ProbeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
