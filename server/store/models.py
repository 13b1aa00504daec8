"""Tables. The update log is append-only: rows are inserted, never updated or deleted."""

from __future__ import annotations

from sqlalchemy import (
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
)

updates = Table(
    "updates",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
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
    Column("seq", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Index("ix_checkpoints_board_seq", "board_id", "seq"),
)
