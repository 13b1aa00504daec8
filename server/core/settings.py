"""Settings: every limit the server enforces, with a safe default, read once at start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "ATELIER_"
ALIASES = {"database_url": "DATABASE_URL", "redis_url": "REDIS_URL"}


@dataclass(frozen=True)
class Settings:
    """Frozen configuration; each field maps to env ``ATELIER_<NAME>`` (upper case)."""

    data_dir: Path = field(default_factory=lambda: Path("data"))
    """Where the SQLite database and the generated operator token live."""
    database_url: str = ""
    """SQLAlchemy URL; empty means ``sqlite:///<data_dir>/atelier.db``."""
    redis_url: str = ""
    """Redis for running several instances (also read from ``REDIS_URL``); empty: one instance."""
    migrate_on_start: str = "auto"
    """``auto`` migrates SQLite on start; ``1`` always; ``0`` never (run ``atelier migrate``)."""
    admin_token: str = ""
    """Operator token; empty means read or create ``<data_dir>/admin-token``."""
    public_url: str = ""
    """Base URL used in invite links; empty means the URL the request came in on."""
    max_frame_bytes: int = 8 * 1024 * 1024
    """Largest WebSocket message accepted; bigger frames close with 1009 before being buffered."""
    max_awareness_bytes: int = 64 * 1024
    """Largest awareness state (UTF-8 JSON) per client id; a bigger one closes with 4400."""
    max_awareness_ids_per_connection: int = 8
    """Awareness client ids one connection may announce (a browser tab uses 1); then 4400."""
    max_presence_bytes_per_board: int = 1024 * 1024
    """Awareness states one board holds in all, so a newcomer's first presence frame is
    bounded; half is shared, half is split evenly between ``max_peers_per_board``
    connections, so a connection within its even share is never refused. Over it: 1013."""
    rate_messages_per_second: float = 300.0
    """Sustained messages per second per connection before 4429."""
    rate_burst_messages: int = 1000
    """Burst of messages a connection may send above the sustained rate."""
    rate_bytes_per_second: float = 4 * 1024 * 1024
    """Sustained bytes per second per connection before 4429."""
    rate_burst_bytes: int = 32 * 1024 * 1024
    """Burst of bytes a connection may send above the sustained rate."""
    outbox_max_messages: int = 2000
    """Messages queued for one slow reader before it is closed with 1013 (it then resyncs)."""
    outbox_max_bytes: int = 16 * 1024 * 1024
    """Bytes queued for one slow reader before it is closed with 1013."""
    max_peers_per_board: int = 250
    """Connections one board accepts; more are refused with 1013."""
    facilitator_reserved_peers: int = 10
    """Of ``max_peers_per_board``, slots only facilitators may take, so participants and
    observers filling a board never lock its facilitator out."""
    max_connections_per_invite: int = 20
    """Open connections one invite may hold on this instance, over all its boards; then 1013
    (a party's link is often shared by a few people, each with a tab or two)."""
    invite_bytes_per_minute: int = 16 * 1024 * 1024
    """Bytes one invite may send per minute over all its connections; the budget survives
    reconnects. Over it the connection closes with 4429 and new ones are refused until
    it refills."""
    max_board_bytes: int = 16 * 1024 * 1024
    """Largest document of one board (its encoded Yjs state); an update that would pass it
    is refused like any refused write (``write_refused`` notice, 4403 when repeated)."""
    invite_default_expiry_seconds: int = 30 * 24 * 3600
    """How long an invite created without ``expires_in`` stays valid (30 days): a link sent
    by e-mail should not open the board for ever."""
    refused_writes_before_close: int = 3
    """Writes dropped (observer, locked board) before the connection is closed with 4403."""
    writer_batch_max: int = 512
    """Most updates committed in one transaction by the log writer."""
    writer_backlog_max: int = 50_000
    """Updates waiting for the database before new writers are refused with 1013."""
    writer_retry_max_seconds: float = 5.0
    """Longest pause between two attempts when the database fails."""
    writer_drain_seconds: float = 30.0
    """On shutdown, how long to keep retrying a failing database before giving up."""
    checkpoint_every: int = 500
    """A full-state checkpoint is stored every this many updates of a board."""
    room_idle_seconds: float = 30.0
    """A board with no connection for this long is flushed and unloaded."""
    sweep_interval_seconds: float = 1.0
    """How often idle rooms and expired invites are checked (a revocation acts at once)."""
    ping_interval_seconds: float = 20.0
    """WebSocket ping period; a peer that misses its pong is dropped and its presence removed."""
    ping_timeout_seconds: float = 20.0
    """How long a ping may stay unanswered."""
    max_body_bytes: int = 1024 * 1024
    """Largest HTTP request body; a bigger one is refused with 413 before it is read further."""
    max_header_bytes: int = 64 * 1024
    """Largest request line and headers of an HTTP request; more is refused with 431."""
    header_timeout_seconds: float = 10.0
    """An HTTP request's line and headers must arrive within this (from the connection's
    opening, or the previous response); otherwise 408 and the connection is closed."""
    body_timeout_seconds: float = 30.0
    """An HTTP request's body must arrive within this after its headers; otherwise 408."""
    max_http_connections: int = 512
    """HTTP connections open at once (board WebSockets not counted): at the cap, the oldest
    one still waiting for a request is closed to make room, or the newcomer gets 503."""
    max_comments_per_board: int = 5000
    """Comments (replies included) one board holds; past it a new one gets 429."""
    comments_per_invite_per_minute: int = 30
    """Comments one invite may post in any 60 seconds, over all its boards; then 429."""
    log_format: str = "text"
    """``text`` for people, ``json`` for log collectors (one object a line, board and peer)."""
    sqlite_synchronous: str = "NORMAL"
    """SQLite ``synchronous`` pragma: NORMAL survives a process crash, FULL also a power loss."""

    @property
    def migrates_on_start(self) -> bool:
        if self.migrate_on_start == "auto":
            return self.effective_database_url.startswith("sqlite")
        return self.migrate_on_start in {"1", "true", "yes"}

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'atelier.db'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``ATELIER_*`` variables (and ``DATABASE_URL``), then overrides."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None and f.name in ALIASES:
                raw = env.get(ALIASES[f.name])
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _coerce(type_name: object, raw: str, name: str) -> object:
    kind = str(type_name)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}: expected {kind}, got {raw!r}") from exc
    return raw


def documented_settings() -> list[tuple[str, str]]:
    """(env name, default) pairs, used by the README contract test."""
    defaults = Settings()
    return [(ENV_PREFIX + f.name.upper(), str(getattr(defaults, f.name))) for f in fields(Settings)]
