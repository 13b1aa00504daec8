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
    Column("coaching_hours", Float, nullable=False, server_default="10"),
)
"""``coaching_hours``: the site's budget of coached time; its sessions' durations use it."""

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

timeline_steps = Table(
    "timeline_steps",
    metadata,
    Column("board_id", String(64), primary_key=True),
    Column("first_seq", SEQ, primary_key=True),
    Column("last_seq", SEQ, nullable=False),
    Column("format", Integer, nullable=False),
    Column("entry", LargeBinary, nullable=False),
)
"""The board's timeline built ahead: one row per step (``first_seq`` to ``last_seq``), its
entry as a history page shows it (zlib-compressed JSON). The rows of a board always form the
first steps of its timeline, without a gap. ``format`` names the version of the captions that
wrote them; a cache: deleting rows only makes history pages slower."""

# -- private rounds: answers held by the server until the reveal ---------------------------

rounds = Table(
    "rounds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("board_id", String(64), ForeignKey("boards.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("zone", String(32), nullable=True),
    Column("opened_at", Float, nullable=False),
    Column("opened_by", String(32), nullable=True),
    Column("open_board", String(64), nullable=True, unique=True),
    Column("revealed_at", Float, nullable=True),
    Column("revealed_by", String(32), nullable=True),
    Column("agreed", Text, nullable=True),
    Column("agreed_at", Float, nullable=True),
    Column("agreed_by", String(32), nullable=True),
    Column("agreed_by_name", Text, nullable=True),
    Column("agreed_session", String(32), nullable=True),
    Column("settings", Text, nullable=True),
    Index("ix_rounds_board", "board_id", "opened_at"),
)
"""One private round. ``open_board`` holds the board id until the reveal (NULL after): the
unique constraint keeps one open round per board, across instances. ``*_by`` are invite ids
(NULL: the operator); ``agreed`` is the agreed result as JSON, the latest recorded;
``settings`` the kind's own settings as JSON (a vote's budget, secrecy and notes), or NULL."""

round_answers = Table(
    "round_answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("round_id", String(32), ForeignKey("rounds.id"), nullable=False),
    Column("invite_id", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("party", String(32), nullable=True),
    Column("answered_at", Float, nullable=False),
    Column("content", Text, nullable=False),
    Index("ux_round_answers_author", "round_id", "invite_id", "name", unique=True),
)
"""One answer per invite and name (a site invite shared by several people gives each their
own); answering again replaces ``content``. Never served before the round is revealed."""

# -- comments on the board and each invite's visits (server-held, never in the document) ---

comments = Table(
    "comments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("board_id", String(64), ForeignKey("boards.id"), nullable=False),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("parent_id", String(32), ForeignKey("comments.id"), nullable=True),
    Column("invite_id", String(32), nullable=False),
    Column("author_name", Text, nullable=False),
    Column("party", String(32), nullable=True),
    Column("text", Text, nullable=False),
    Column("mentions", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("resolved_at", Float, nullable=True),
    Column("resolved_by", String(32), nullable=True),
    Column("resolved_by_name", Text, nullable=True),
    Index("ix_comments_board_created", "board_id", "created_at"),
    Index("ix_comments_invite_created", "invite_id", "created_at"),
)
"""A comment on a note, chain item or agreement section; ``parent_id`` names the thread's
first comment for a reply (NULL: it starts a thread). ``mentions`` is a JSON list of parties;
``resolved_*`` are set on a thread's first comment only (``resolved_by``: an invite id,
NULL for the operator)."""

visits = Table(
    "visits",
    metadata,
    Column("invite_id", String(32), primary_key=True),
    Column("board_id", String(64), ForeignKey("boards.id"), primary_key=True),
    Column("last_at", Float, nullable=False),
    Column("last_seq", SEQ, nullable=False),
    Column("previous_at", Float, nullable=True),
    Column("previous_seq", SEQ, nullable=True),
)
"""Each invite's latest opening of a board (``last_*``: when, and the log position then) and
the one before it (``previous_*``), which « depuis votre dernière visite » starts from."""
