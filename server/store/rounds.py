"""Private rounds and their answers: durable, server-held until the reveal.

An answer's content lives here only (never in the document, the log or a stream) until the
facilitator reveals the round; the reveal is one transaction that closes the round to new
answers, after which the answers are written into the board through the log.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.core.errors import Conflict, NotFound
from server.store.models import round_answers, rounds


@dataclass(frozen=True, slots=True)
class Round:
    id: str
    board_id: str
    kind: str
    title: str
    zone: str | None
    opened_at: float
    opened_by: str | None
    revealed_at: float | None
    revealed_by: str | None
    agreed: dict[str, Any] | None
    agreed_at: float | None
    agreed_by: str | None
    agreed_by_name: str | None
    agreed_session: str | None
    settings: dict[str, Any] | None = None

    @property
    def is_open(self) -> bool:
        return self.revealed_at is None


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    round_id: str
    invite_id: str
    name: str
    party: str | None
    answered_at: float
    content: dict[str, Any]


_ROUND_COLUMNS = [c for c in rounds.c if c.name != "open_board"]


def _round(row: Any) -> Round:
    data = dict(row._asdict())
    for key in ("agreed", "settings"):
        data[key] = None if data[key] is None else json.loads(data[key])
    return Round(**data)


def _answer(row: Any) -> Answer:
    data = dict(row._asdict())
    data["content"] = json.loads(data["content"])
    return Answer(**data)


def open_round(
    engine: Engine,
    board_id: str,
    kind: str,
    title: str,
    zone: str | None,
    by: str | None,
    settings: dict[str, Any] | None = None,
) -> Round:
    """A new open round; 409 while another round of the board is open (on any instance)."""
    round_id, now = secrets.token_hex(8), time.time()
    stored = None if settings is None else json.dumps(settings, ensure_ascii=False)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(rounds).values(
                    id=round_id,
                    board_id=board_id,
                    kind=kind,
                    title=title,
                    zone=zone,
                    opened_at=now,
                    opened_by=by,
                    open_board=board_id,
                    settings=stored,
                )
            )
    except IntegrityError as exc:
        raise Conflict(
            "this board already has an open round; reveal it first", board=board_id
        ) from exc
    return get_round(engine, round_id)


def get_round(engine: Engine, round_id: str) -> Round:
    with engine.connect() as conn:
        row = conn.execute(select(*_ROUND_COLUMNS).where(rounds.c.id == round_id)).first()
    if row is None:
        raise NotFound(f"no round with id {round_id!r}")
    return _round(row)


def list_rounds(engine: Engine, board_id: str) -> list[Round]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_ROUND_COLUMNS)
            .where(rounds.c.board_id == board_id)
            .order_by(rounds.c.opened_at, rounds.c.id)
        ).all()
    return [_round(row) for row in rows]


def answers(engine: Engine, round_id: str) -> list[Answer]:
    """Every answer of a round, oldest first (content included: callers decide who sees)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(round_answers)
            .where(round_answers.c.round_id == round_id)
            .order_by(round_answers.c.answered_at, round_answers.c.id)
        ).all()
    return [_answer(row) for row in rows]


def answer_of(engine: Engine, round_id: str, invite_id: str, name: str) -> Answer | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(round_answers).where(
                round_answers.c.round_id == round_id,
                round_answers.c.invite_id == invite_id,
                round_answers.c.name == name,
            )
        ).first()
    return None if row is None else _answer(row)


def put_answer(
    engine: Engine,
    round_id: str,
    invite_id: str,
    name: str,
    party: str | None,
    content: dict[str, Any],
) -> Answer:
    """Record or replace the answer of (invite, name); 409 once the round is revealed. The
    round row is locked first so a reveal and an answer cannot cross."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    with engine.begin() as conn:
        still_open = conn.execute(
            update(rounds)
            .where(rounds.c.id == round_id, rounds.c.revealed_at.is_(None))
            .values(open_board=rounds.c.open_board)
        ).rowcount
        if not still_open:
            raise Conflict("this round has been revealed; answers are closed")
        now = time.time()
        done = conn.execute(
            update(round_answers)
            .where(
                round_answers.c.round_id == round_id,
                round_answers.c.invite_id == invite_id,
                round_answers.c.name == name,
            )
            .values(content=text, answered_at=now, party=party)
        ).rowcount
        if not done:
            conn.execute(
                insert(round_answers).values(
                    id=secrets.token_hex(8),
                    round_id=round_id,
                    invite_id=invite_id,
                    name=name,
                    party=party,
                    answered_at=now,
                    content=text,
                )
            )
    found = answer_of(engine, round_id, invite_id, name)
    assert found is not None
    return found


def reveal(engine: Engine, round_id: str, by: str | None) -> Round:
    """Close the round to answers (once: 409 if already revealed)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(rounds)
            .where(rounds.c.id == round_id, rounds.c.revealed_at.is_(None))
            .values(revealed_at=time.time(), revealed_by=by, open_board=None)
        ).rowcount
    if not done:
        raise Conflict("this round has already been revealed")
    return get_round(engine, round_id)


def record_agreed(
    engine: Engine,
    round_id: str,
    agreed: dict[str, Any],
    by: tuple[str | None, str | None],
    session: str | None,
) -> Round:
    """The agreed result (the latest replaces an earlier one; history keeps both), with who
    recorded it (``by``: invite, name) and the session open then."""
    with engine.begin() as conn:
        conn.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(
                agreed=json.dumps(agreed, ensure_ascii=False, sort_keys=True),
                agreed_at=time.time(),
                agreed_by=by[0],
                agreed_by_name=by[1],
                agreed_session=session,
            )
        )
    return get_round(engine, round_id)


def update_settings(engine: Engine, round_id: str, settings: dict[str, Any]) -> Round:
    """Replace a round's settings (a vote keeps its notes' texts as they were revealed)."""
    with engine.begin() as conn:
        conn.execute(
            update(rounds)
            .where(rounds.c.id == round_id)
            .values(settings=json.dumps(settings, ensure_ascii=False))
        )
    return get_round(engine, round_id)
