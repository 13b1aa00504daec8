"""A tiny TCP load balancer for tests: each new connection goes to the first backend that
accepts it, like a proxy whose health check has marked a dead instance down."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Self


class _LocalProxy:
    """Listening on a free port of 127.0.0.1, and relaying each accepted connection through
    two pipes that the proxy owns and cancels when it stops."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def _relay(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        for source, sink in ((reader, upstream[1]), (upstream[0], writer)):
            task = asyncio.create_task(_pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            sink.close()


class FailoverProxy(_LocalProxy):
    def __init__(self, backends: list[int]) -> None:
        super().__init__()
        self.backends = backends

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for port in self.backends:
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            writer.close()
            return
        self._relay(reader, writer, upstream)


class NoUpgradeProxy(_LocalProxy):
    """An HTTP proxy like those of networks that drop the WebSocket ``Upgrade`` header: each
    request is forwarded without ``Upgrade`` (and with ``Connection: close``), so a WebSocket
    handshake reaches the server as a plain GET and fails; everything else, streamed answers
    included, is relayed as it arrives (nothing is buffered)."""

    def __init__(self, backend: int) -> None:
        super().__init__()
        self.backend = backend
        self.upgrades_dropped = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            upstream = await asyncio.open_connection("127.0.0.1", self.backend)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.close()
            return
        upstream[1].write(self._rewrite(head))
        self._relay(reader, writer, upstream)

    def _rewrite(self, head: bytes) -> bytes:
        lines = head.decode("latin-1").split("\r\n")
        kept = [lines[0]]
        for line in lines[1:]:
            name = line.partition(":")[0].strip().lower()
            if name == "upgrade":
                self.upgrades_dropped += 1
            elif name and name != "connection":
                kept.append(line)
        return ("\r\n".join([*kept, "Connection: close"]) + "\r\n\r\n").encode("latin-1")


class ProxyThread:
    """A ``NoUpgradeProxy`` served from its own thread and event loop, for the browser
    tests (whose Playwright sync API holds the test thread's loop)."""

    def __init__(self, backend: int) -> None:
        self.proxy = NoUpgradeProxy(backend)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> NoUpgradeProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.__aenter__(), self._loop).result(10)
        return self.proxy

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.__aexit__(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
