"""What every limit test checks after refusing an offender: the server's memory, and that
the rest of the board goes on as if nothing happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import logged_updates

MIB = 1024 * 1024


def rss_bytes(server: AtelierServer) -> int:
    """Resident memory of the server process (``VmRSS``)."""
    status = Path(f"/proc/{server.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


@dataclass
class GoodBoard:
    """A board with one well-behaved participant, and the log as it stood before the test."""

    server: AtelierServer
    id: str
    token: str
    good: RawClient
    logged_before: list[bytes]

    @classmethod
    async def open(cls, server: AtelierServer, board_id: str | None = None) -> GoodBoard:
        board_id = board_id or server.create_board()
        token = server.invite(board_id)
        good = await RawClient.open(server.ws_url, board_id, token, name="Bon", acks="1")
        await good.sync()
        await good.set_key("before", 1)
        await good.wait_durable()
        return cls(server, board_id, token, good, logged_updates(server, board_id))

    async def assert_unharmed(self, *, also_logged: int = 0) -> None:
        """The good participant still edits, a newcomer (another participant) syncs all of
        it, and the log gained only that edit (plus ``also_logged`` accepted ones)."""
        await self.good.set_key("after", 2)
        await self.good.wait_durable()
        newcomer = await RawClient.open(self.server.ws_url, self.id, self.server.invite(self.id))
        await newcomer.sync()
        assert (newcomer.value("before"), newcomer.value("after")) == (1, 2)
        await newcomer.close()
        logged = logged_updates(self.server, self.id)
        assert len(logged) == len(self.logged_before) + also_logged + 1
        assert logged[: len(self.logged_before)] == self.logged_before
        assert self.good.close_code is None
