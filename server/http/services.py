"""The long-lived parts one app instance owns, shared by the edges (API, WebSocket, pages)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from server.core.grants import GrantCache
from server.core.settings import Settings
from server.store.db import Engine
from server.store.writer import LogWriter
from server.sync.fanout import Fanout, LocalFanout
from server.sync.rooms import Rooms


@dataclass
class Services:
    """Settings and database from the start; writer, rooms and fan-out while the app runs
    (between ``attach`` and ``detach``, called by the lifespan)."""

    settings: Settings
    engine: Engine
    admin_token: str
    fanout: Fanout = field(default_factory=LocalFanout)
    grants: GrantCache = field(default_factory=GrantCache)
    """Verified grants of board connections, forgotten by the rooms' kicks."""
    _writer: LogWriter | None = field(default=None, repr=False)
    _rooms: Rooms | None = field(default=None, repr=False)

    def attach(self, writer: LogWriter, rooms: Rooms, fanout: Fanout) -> None:
        self._writer, self._rooms, self.fanout = writer, rooms, fanout

    def detach(self) -> None:
        self._writer, self._rooms = None, None

    @property
    def running(self) -> Rooms | None:
        """The rooms while the app runs, else None (for callbacks that may fire at shutdown)."""
        return self._rooms

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


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc
