"""Tables. The update log is append-only: rows are inserted, never updated or deleted."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

SEQ = BigInteger().with_variant(Integer(), "sqlite")
"""Log positions: 64-bit on PostgreSQL; SQLite's INTEGER PRIMARY KEY is already 64-bit."""

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

boards = Table(
    "boards",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("template", String(16), nullable=False),
    Column("site_id", String(64), ForeignKey("sites.id"), nullable=True),
    Column("created_at", Float, nullable=False),
)

locks = Table(
    "locks",
    metadata,
    Column("board_id", String(64), ForeignKey("boards.id"), primary_key=True),
    Column("zone", String(64), primary_key=True),
    Column("locked_by", Text, nullable=True),
    Column("locked_at", Float, nullable=False),
)

invites = Table(
    "invites",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("board_id", String(64), ForeignKey("boards.id"), nullable=True),
    Column("site_id", String(64), ForeignKey("sites.id"), nullable=True),
    Column("role", String(16), nullable=False),
    Column("label", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
    Column("party", String(32), nullable=True),
    Column("created_by", String(32), nullable=True, index=True),
)

updates = Table(
    "updates",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("board_id", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("invite_id", String(32), nullable=True),
    Column("author_name", Text, nullable=True),
    Column("party", String(32), nullable=True),
    Column("data", LargeBinary, nullable=False),
    Index("ix_updates_board_seq", "board_id", "seq"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("board_id", String(64), nullable=False),
    Column("seq", SEQ, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Index("ix_checkpoints_board_seq", "board_id", "seq"),
)

# -- workshop archive: sessions, immutable snapshots, replay checkpoints -------------------

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("board_id", String(64), ForeignKey("boards.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("started_by", String(32), nullable=True),
    Column("started_by_label", Text, nullable=True),
    Column("ended_at", Float, nullable=True),
    Column("ended_by", String(32), nullable=True),
    Column("open_board", String(64), nullable=True, unique=True),
    Index("ix_sessions_board", "board_id", "started_at"),
)
"""Workshop sittings. ``open_board`` holds the board id while the session is open (NULL once
ended): the unique constraint keeps one open session per board, even across instances.
``started_by``/``ended_by`` are invite ids (NULL: the operator)."""

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("board_id", String(64), ForeignKey("boards.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("seq", SEQ, nullable=False),
    Column("taken_at", Float, nullable=False),
    Column("header", Text, nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("state", LargeBinary, nullable=False),
    Column("projection", Text, nullable=False),
    Index("ux_snapshots_board_number", "board_id", "number", unique=True),
    Index("ix_snapshots_session", "session_id"),
)
"""Immutable: inserted once, never updated or deleted. ``header`` is the canonical JSON that
``hash`` is the SHA-256 of; it names the previous snapshot's hash (the per-board chain), and the
SHA-256 of ``state`` (Yjs update) and ``projection`` (canonical JSON). The other columns repeat
header fields for queries. ``number`` is the position in the board's chain (1, 2, …)."""

replay_checkpoints = Table(
    "replay_checkpoints",
    metadata,
    Column("board_id", String(64), primary_key=True),
    Column("seq", SEQ, primary_key=True),
    Column("raw_bytes", Integer, nullable=False),
    Column("state", LargeBinary, nullable=False),
)
"""Full states rebuilt from the log alone (zlib-compressed), so replay never depends on what a
live room held; a cache: deleting rows only makes replay slower."""
