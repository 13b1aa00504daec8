"""Drive the official JavaScript Yjs client from Python tests.

``tests/js/driver.mjs`` runs under Node and keeps any number of named clients, each a ``Y.Doc``
synced through y-websocket's ``WebsocketProvider``. This module starts it, sends it one JSON
command per line and matches each answer to its command::

    async with YjsDriver.start() as js:
        await js.connect("a", url=server.ws_url, room=board_id, params={"token": token})
        await js.wait_synced("a")
        await js.map_set("a", "notes", "k", "v")
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parents[1] / "js"
DRIVER = JS_DIR / "driver.mjs"
DEFAULT_CALL_TIMEOUT = 15.0
"""Seconds a command may take when it carries no ``timeout_ms`` of its own."""
TIMEOUT_MARGIN = 5.0
"""Extra seconds granted on top of a command's own ``timeout_ms`` before giving up on it."""
STARTUP_TIMEOUT = 15.0
STDERR_TAIL_LINES = 60
MAX_LINE_BYTES = 256 * 1024 * 1024


class DriverError(RuntimeError):
    """The driver is unusable: missing, dead, or not answering."""


class CommandFailed(RuntimeError):
    """The driver answered a command with ``ok: false``."""

    def __init__(self, command: str, error: str) -> None:
        super().__init__(f"{command}: {error}")
        self.command = command
        self.error = error


class YjsDriver:
    """One ``node driver.mjs`` process; use :meth:`start` to get one."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ready: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._stderr: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._reader = asyncio.create_task(self._read_stdout())
        self._stderr_reader = asyncio.create_task(self._read_stderr())
        self.info: dict[str, Any] = {}

    # -- lifecycle --------------------------------------------------------------------------

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls) -> AsyncIterator[YjsDriver]:
        """Launch the driver, wait until it is ready, and stop it on exit."""
        node = shutil.which("node")
        if node is None:
            raise DriverError("Node.js is not installed: the interop tests need `node` on PATH")
        if not (JS_DIR / "node_modules").is_dir():
            raise DriverError(
                f"{JS_DIR / 'node_modules'} is missing: run `npm ci --prefix tests/js` first"
            )
        process = await asyncio.create_subprocess_exec(
            node,
            str(DRIVER),
            cwd=JS_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=MAX_LINE_BYTES,
        )
        driver = cls(process)
        try:
            driver.info = await driver._wait_ready()
            yield driver
        finally:
            await driver.close()

    async def _wait_ready(self) -> dict[str, Any]:
        try:
            info = await asyncio.wait_for(asyncio.shield(self._ready), STARTUP_TIMEOUT)
        except TimeoutError:
            raise DriverError(
                f"the driver did not start within {STARTUP_TIMEOUT:.0f}s{self._stderr_tail()}"
            ) from None
        assert isinstance(info, dict)
        return info

    async def close(self) -> None:
        """Ask the driver to quit (it destroys every provider), then make sure it is gone."""
        if self._process.returncode is None:
            with contextlib.suppress(DriverError, CommandFailed, TimeoutError, OSError):
                await self.call("quit", timeout=5.0)
            try:
                await asyncio.wait_for(self._process.wait(), 5.0)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        for task in (self._reader, self._stderr_reader):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    def _stderr_tail(self) -> str:
        return f"\n--- driver stderr (last lines) ---\n{self.stderr_tail}" if self._stderr else ""

    # -- wire -------------------------------------------------------------------------------

    async def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        try:
            while line := await self._process.stdout.readline():
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    self._stderr.append(f"[unparsable stdout] {line[:200]!r}")
                    continue
                self._dispatch(message)
        finally:
            code = await self._process.wait()
            await self._stderr_done()
            error = DriverError(f"the driver exited with code {code}{self._stderr_tail()}")
            if not self._ready.done():
                self._ready.set_exception(error)
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(error)
            self._pending.clear()

    async def _stderr_done(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._stderr_reader), 2.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        if ident == 0 and not self._ready.done():
            self._ready.set_result(message.get("result"))
            return
        future = self._pending.pop(ident, None) if isinstance(ident, int) else None
        if future is None:
            self._stderr.append(f"[unmatched answer] {json.dumps(message)[:200]}")
            return
        if not future.done():
            future.set_result(message)

    async def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        while line := await self._process.stderr.readline():
            self._stderr.append(line.decode("utf-8", "replace").rstrip())

    async def call(self, command: str, *, timeout: float | None = None, **args: Any) -> Any:
        """Send one command, return its ``result``; raise :class:`CommandFailed` on ``ok: false``.

        ``timeout`` defaults to the command's own ``timeout_ms`` plus a margin, or
        ``DEFAULT_CALL_TIMEOUT`` seconds.
        """
        if self._process.returncode is not None or self._process.stdin is None:
            raise DriverError(
                f"the driver is not running (exit code {self._process.returncode})"
                f"{self._stderr_tail()}"
            )
        if timeout is None:
            own = args.get("timeout_ms")
            timeout = own / 1000 + TIMEOUT_MARGIN if own is not None else DEFAULT_CALL_TIMEOUT
        ident = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        line = json.dumps({"id": ident, "cmd": command, **args}) + "\n"
        try:
            self._process.stdin.write(line.encode())
            await self._process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            self._pending.pop(ident, None)
            raise DriverError(f"the driver stopped reading commands{self._stderr_tail()}") from exc
        try:
            message = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._pending.pop(ident, None)
            raise DriverError(
                f"{command} got no answer within {timeout:.1f}s{self._stderr_tail()}"
            ) from None
        if not message.get("ok"):
            raise CommandFailed(command, str(message.get("error")))
        return message.get("result")

    # -- convenience ------------------------------------------------------------------------

    async def connect(
        self,
        client: str,
        *,
        url: str,
        room: str,
        params: dict[str, str] | None = None,
        doc_from: str | None = None,
        awareness: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
    ) -> int:
        """Create the client and start connecting; returns its Yjs client id."""
        args: dict[str, Any] = {"client": client, "url": url, "room": room, "params": params or {}}
        if doc_from is not None:
            args["doc_from"] = doc_from
        if awareness is not None:
            args["awareness"] = awareness
        if options is not None:
            args["options"] = options
        result = await self.call("connect", **args)
        return int(result["client_id"])

    async def wait_synced(self, client: str, timeout_ms: int = 10_000) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            "wait_synced", client=client, timeout_ms=timeout_ms
        )
        return result

    async def wait_status(
        self, client: str, status: str, timeout_ms: int = 10_000
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            "wait_status", client=client, status=status, timeout_ms=timeout_ms
        )
        return result

    async def disconnect(self, client: str) -> None:
        await self.call("disconnect", client=client)

    async def reconnect(self, client: str) -> None:
        await self.call("reconnect", client=client)

    async def destroy(self, client: str) -> None:
        await self.call("destroy", client=client)

    async def drop(self, client: str) -> None:
        """Cut the client's socket without a goodbye (no awareness removal, no close frame)."""
        await self.call("drop", client=client)

    async def map_set(self, client: str, map: str, key: str, value: Any) -> None:
        await self.call("map_set", client=client, map=map, key=key, value=value)

    async def map_delete(self, client: str, map: str, key: str) -> None:
        await self.call("map_delete", client=client, map=map, key=key)

    async def text_insert(self, client: str, text: str, index: int, content: str) -> None:
        await self.call("text_insert", client=client, text=text, index=index, content=content)

    async def text_delete(self, client: str, text: str, index: int, length: int) -> None:
        await self.call("text_delete", client=client, text=text, index=index, length=length)

    async def array_push(self, client: str, array: str, values: list[Any]) -> None:
        await self.call("array_push", client=client, array=array, values=values)

    async def random_ops(
        self, client: str, count: int, seed: int, words: list[str] | None = None
    ) -> dict[str, int]:
        """``count`` random map/text/array edits; returns how many of each kind were made."""
        args: dict[str, Any] = {"client": client, "count": count, "seed": seed}
        if words is not None:
            args["words"] = words
        result: dict[str, int] = await self.call("random_ops", timeout=60.0, **args)
        return result

    async def state(self, client: str) -> dict[str, Any]:
        """``doc`` (JSON of every root), ``clocks``, ``state_vector`` and ``update_b64``."""
        result: dict[str, Any] = await self.call("state", client=client)
        return result

    async def doc(self, client: str) -> dict[str, Any]:
        """Just the JSON of every root of the client's document."""
        result: dict[str, Any] = (await self.call("state", client=client, update=False))["doc"]
        return result

    async def wait_equal(self, clients: list[str], timeout_ms: int = 10_000) -> dict[str, Any]:
        """Wait until every client has the same state vector and content; returns the content."""
        result: dict[str, Any] = await self.call(
            "wait_equal", clients=clients, timeout_ms=timeout_ms
        )
        return result

    async def awareness_set(self, client: str, state: dict[str, Any] | None) -> None:
        await self.call("awareness_set", client=client, state=state)

    async def awareness_states(self, client: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("awareness_states", client=client)
        return result

    async def wait_awareness(
        self, client: str, predicate: dict[str, Any], timeout_ms: int = 10_000
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            "wait_awareness", client=client, predicate=predicate, timeout_ms=timeout_ms
        )
        return result

    async def close_events(self, client: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.call("close_events", client=client)
        return result

    async def wait_close(self, client: str, timeout_ms: int = 10_000) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("wait_close", client=client, timeout_ms=timeout_ms)
        return result

    async def status(self, client: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("status", client=client)
        return result

    async def raw_messages(self, client: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("raw_messages", client=client)
        return result

    async def wait_acked(self, client: str, count: int, timeout_ms: int = 10_000) -> int:
        result = await self.call("wait_acked", client=client, count=count, timeout_ms=timeout_ms)
        return int(result["acked"])
