"""Servers that misbehave at the HTTP level, on an asyncio loop of their own.

`HostileServer(kind).start()` returns its URL; `stop()` closes every connection.
Kinds: `hang` (accepts, reads, never answers), `status-500` (500 to everything),
`reset` (reads the request, then resets the connection), `invalid-json` (202
with a body that is not JSON), `huge-body` (202 with a 50 MB body),
`garbage-200` (200 OK with a binary, non-JSON body and no locations),
`reset-mid-body` (202, part of the body, then a reset), `slow-drip` (202, then
one body byte every half second), `wrong-length` (202 whose Content-Length
promises more than the body it sends before closing).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections.abc import Awaitable, Callable

KINDS = (
    "hang", "status-500", "reset", "invalid-json", "huge-body",
    "garbage-200", "reset-mid-body", "slow-drip", "wrong-length",
)
GARBAGE = b"<html>\x00\xff\xfe not json, " + bytes(range(256)) * 4
DRIP_INTERVAL = 0.5
HUGE_BYTES = 50 * 1024 * 1024
CHUNK = 1024 * 1024
Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
MAX_HEADER_BYTES = 64 * 1024


def _response(status: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_request(reader: asyncio.StreamReader) -> bool:
    """Read one request (head and body); False when the client went away."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return False
    length = 0
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length" and value.strip().isdigit():
            length = int(value.strip())
    try:
        await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    return True


class HostileServer:
    def __init__(self, kind: str, host: str = "127.0.0.1") -> None:
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r}; known: {', '.join(KINDS)}")
        self.kind = kind
        self.host = host
        self.port: int | None = None
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"hostile-{kind}")
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)
        return self.url

    async def _start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, 0, limit=MAX_HEADER_BYTES
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            if await _read_request(reader):
                await self._behave(reader, writer)
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _behave(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        behaviours: dict[str, Behaviour] = {
            "hang": self._hang,
            "status-500": self._status_500,
            "reset": self._reset,
            "invalid-json": self._invalid_json,
            "huge-body": self._huge_body,
            "garbage-200": self._garbage_200,
            "reset-mid-body": self._reset_mid_body,
            "slow-drip": self._slow_drip,
            "wrong-length": self._wrong_length,
        }
        await behaviours[self.kind](reader, writer)

    async def _hang(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Until the client gives up (its read timeout) or the server stops.
        with contextlib.suppress(ConnectionError):
            await reader.read()

    async def _status_500(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = json.dumps({"message": "hostile: everything fails"}).encode()
        writer.write(_response("500 Internal Server Error", body, {
            "Content-Type": "application/json", "X-Amzn-ErrorType": "InternalFailure",
        }))
        await writer.drain()

    async def _reset(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # Linger 0: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    async def _invalid_json(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(_response("202 Accepted", b'{"InferenceId": "unterminated', {
            "Content-Type": "application/json",
            "X-Amzn-SageMaker-OutputLocation": "s3://hostile/output.out",
        }))
        await writer.drain()

    async def _huge_body(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
            f"Content-Length: {HUGE_BYTES}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode())
        chunk = b" " * CHUNK
        for _ in range(HUGE_BYTES // CHUNK):
            writer.write(chunk)
            await writer.drain()

    async def _garbage_200(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(_response("200 OK", GARBAGE, {"Content-Type": "application/octet-stream"}))
        await writer.drain()

    async def _reset_mid_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = (
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
            "Content-Length: 4096\r\n\r\n"
        )
        writer.write(head.encode() + b'{"InferenceId": "')
        await writer.drain()
        await self._reset(reader, writer)  # _serve's abort then sends the RST

    async def _slow_drip(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = b'{"InferenceId": "' + b"d" * 10_000 + b'"}'
        head = (
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode())
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(DRIP_INTERVAL)

    async def _wrong_length(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        body = b'{"InferenceId": "short"}'
        head = (
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) + 100}\r\n"
            "X-Amzn-SageMaker-OutputLocation: s3://hostile/output.out\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
        # Closing here leaves the client 100 bytes short of what was promised.
