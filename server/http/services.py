"""The long-lived parts one app instance owns, shared by the edges (API, WebSocket, pages)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from server.core.settings import Settings
from server.store.writer import LogWriter
from server.sync.fanout import Fanout, LocalFanout
from server.sync.rooms import Rooms


@dataclass
class Services:
    settings: Settings
    engine: Engine
    admin_token: str
    fanout: Fanout = field(default_factory=LocalFanout)
    _writer: LogWriter | None = field(default=None, repr=False)
    _rooms: Rooms | None = field(default=None, repr=False)

    @property
    def writer(self) -> LogWriter:
        if self._writer is None:
            raise RuntimeError("the log writer runs only while the app is started")
        return self._writer

    @property
    def rooms(self) -> Rooms:
        if self._rooms is None:
            raise RuntimeError("rooms exist only while the app is started")
        return self._rooms
