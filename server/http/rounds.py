"""Private rounds: each person answers alone, then all answers appear at once.

Until the reveal an answer's content is held by the store and served to its author only:
it is never written to the board's document, the log, a stream, a notice or a log line.
The reveal writes the answers into the board through the log, each attributed to its
author; the agreed result is written the same way, attributed to whoever recorded it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.boards.labels import LEVEL_BY_ID, TEMPLATE_PARTS
from server.boards.layout import root
from server.boards.rounds import (
    ROUNDS,
    agreed_content,
    answer_content,
    write_agreed,
    write_answer,
    write_round,
)
from server.core.auth import FACILITATION
from server.core.clock import iso
from server.core.errors import BadRequest, Conflict, NotFound
from server.http import votes
from server.http.access import Caller, answerer, board_for, round_for
from server.http.endpoints import AUTH_ANY, AUTH_FACILITATOR, PROBLEM, Endpoint
from server.http.requests import blocking, body
from server.http.services import services
from server.http.sessions import caller_name
from server.store import archive, rounds
from server.store.db import Engine
from server.sync.room import Room
from server.sync.sink import Author

NOTICE = "round"
"""The notice kind telling a board's connections that a round changed: it carries the
round's id only, and the browser asks the API for what it may see."""
DURABLE_WAIT_SECONDS = 10.0
ANSWERS = "api/round-answer.request.schema.json"
AUTH_ANSWER = "a participant or facilitator token of the board (its own party)"


def round_json(found: rounds.Round, answers: list[rounds.Answer]) -> dict[str, Any]:
    """A round as anyone on the board sees it: who answered; the answers once revealed."""
    data: dict[str, Any] = {
        "id": found.id,
        "board": found.board_id,
        "kind": found.kind,
        "title": found.title,
        "zone": found.zone,
        "state": "open" if found.is_open else "revealed",
        "opened_at": iso(found.opened_at),
        "opened_by": found.opened_by,
        "answered": [{"name": a.name, "party": a.party} for a in answers],
        "revealed_at": None if found.revealed_at is None else iso(found.revealed_at),
        "agreed": None,
    }
    if not found.is_open:
        data["answers"] = [answer_json(a) for a in answers]
    data |= votes.public_fields(found, answers)
    if found.agreed is not None and found.agreed_at is not None:
        by = {"invite": found.agreed_by, "name": found.agreed_by_name}
        at = iso(found.agreed_at)
        data["agreed"] = {**found.agreed, "at": at, "by": by, "session": found.agreed_session}
    return data


def answer_json(answer: rounds.Answer) -> dict[str, Any]:
    return {
        "round": answer.round_id,
        "name": answer.name,
        "party": answer.party,
        "at": iso(answer.answered_at),
        "content": answer.content,
    }


async def _round_response(request: Request, found: rounds.Round, status: int = 200) -> Response:
    answers = await blocking(rounds.answers, services(request).engine, found.id)
    return JSONResponse(round_json(found, answers), status_code=status)


async def with_open_rounds(
    engine: Engine, board_id: str, content: dict[str, Any]
) -> dict[str, Any]:
    """The board's projection with its open round added (who answered, never what): the
    document holds revealed rounds only."""
    found = [r for r in await blocking(rounds.list_rounds, engine, board_id) if r.is_open]
    if not found:
        return content
    listed = list(content.get("rounds", []))
    for entry in found:
        answered = round_json(entry, await blocking(rounds.answers, engine, entry.id))
        keep = ("id", "kind", "title", "state", "answered", "budget", "secret", "totals")
        listed.append({key: answered[key] for key in keep if key in answered})
    return {**content, "rounds": listed}


async def open_round(request: Request) -> Response:
    board, who = await board_for(request, facilitator=True)
    data = await body(request, "api/round-create.request.schema.json")
    kind, zone = data["kind"], data.get("zone")
    if kind != "assessment" and "continuum" not in TEMPLATE_PARTS.get(board.template, ()):
        raise Conflict(f"a {kind} round needs a board with the continuum; this one has none")
    if zone is not None and (kind != "notes" or zone not in LEVEL_BY_ID):  # as the schema says
        raise BadRequest("'zone' is a continuum level, for notes rounds only", field="zone")
    by = None if who.grant is None else who.grant.invite_id
    title = (data.get("title") or "").strip()
    engine = services(request).engine
    room = await services(request).rooms.get(board.id) if kind == "vote" else None
    settings = None if room is None else votes.settings_for(room, data)
    opened = (board.id, kind, title, zone, by, settings)
    found = await blocking(rounds.open_round, engine, *opened)
    if room is not None:
        votes.start_timer(room, data.get("minutes"))
    services(request).rooms.notify_board(board.id, NOTICE, found.id)
    return await _round_response(request, found, 201)


async def list_board_rounds(request: Request) -> Response:
    board, _ = await board_for(request, facilitator=False)
    engine = services(request).engine
    found = await blocking(rounds.list_rounds, engine, board.id)
    listed = [round_json(r, await blocking(rounds.answers, engine, r.id)) for r in found]
    return JSONResponse({"board": board.id, "rounds": listed})


async def get_round(request: Request) -> Response:
    found, _, _ = await round_for(request, facilitator=False)
    return await _round_response(request, found)


async def put_my_answer(request: Request) -> Response:
    found, board, who = await round_for(request, facilitator=False)
    data = await body(request, ANSWERS)
    grant = answerer(who, data.get("party"))
    if not found.is_open:
        raise Conflict("this round has been revealed; answers are closed")
    if found.kind == "vote":
        content = votes.answer_content(found, data)
    else:
        content = answer_content(found.kind, data, found.zone)
    name = data["name"].strip()
    engine = services(request).engine
    answer = await blocking(
        rounds.put_answer, engine, found.id, grant.invite_id, name, grant.party, content
    )
    services(request).rooms.notify_board(board.id, NOTICE, found.id)
    return JSONResponse(answer_json(answer))


async def get_my_answer(request: Request) -> Response:
    found, _, who = await round_for(request, facilitator=False)
    grant = answerer(who, None)
    name = (request.query_params.get("name") or "").strip()
    if not name:
        raise BadRequest("give the name you answered with: ?name=…", field="name")
    engine = services(request).engine
    answer = await blocking(rounds.answer_of, engine, found.id, grant.invite_id, name)
    if answer is None:
        raise NotFound(f"no answer from {name!r} with this invite in this round")
    return JSONResponse(answer_json(answer))


def _facilitator(request: Request, who: Caller, board_id: str, given: object) -> Author:
    """The person revealing or recording, as the log attributes their writes."""
    name = caller_name(request, who, board_id, given)
    if who.grant is None:
        return Author(None, name or "operator", None)
    return Author(who.grant.invite_id, name, FACILITATION)


async def reveal_round(request: Request) -> Response:
    found, board, who = await round_for(request, facilitator=True)
    engine = services(request).engine
    room = await services(request).rooms.get(board.id)
    if found.is_open:
        by = None if who.grant is None else who.grant.invite_id
        found = await blocking(rounds.reveal, engine, found.id, by)
    elif found.id in root(room.doc, ROUNDS):
        raise Conflict("this round has already been revealed")
    # else: revealed, but the document never got it (the server stopped in between): redo
    if (settings := votes.with_texts(found, room)) is not None:
        found = await blocking(rounds.update_settings, engine, found.id, settings)
    answers = await blocking(rounds.answers, engine, found.id)
    await _write_reveal(room, found, answers, _facilitator(request, who, board.id, None))
    services(request).rooms.notify_board(board.id, NOTICE, found.id)
    return JSONResponse(round_json(found, answers))


async def _write_reveal(
    room: Room, found: rounds.Round, answers: list[rounds.Answer], by: Author
) -> None:
    """The round's entry (the facilitator's), then each answer as its author's."""
    at = iso(found.revealed_at or time.time())
    extra = votes.entry_extra(found, answers)
    writes = [
        (
            by,
            lambda doc: write_round(
                doc, found.id, found.kind, found.title, at, by.name, len(answers), extra
            ),
        )
    ]
    for answer in answers:
        person = (answer.invite_id, answer.name, answer.party, iso(answer.answered_at))
        author = Author(answer.invite_id, answer.name, answer.party)
        writes.append((author, _answer_write(found.id, answer, person)))
    await _durably(room, writes)


def _answer_write(
    round_id: str, answer: rounds.Answer, person: tuple[str, str, str | None, str]
) -> Any:
    return lambda doc: write_answer(doc, round_id, answer.id, person, answer.content)


async def _durably(room: Room, writes: list[tuple[Author, Any]]) -> None:
    """Apply each write attributed to its author; wait (bounded) until all are logged."""
    done = asyncio.get_running_loop().create_future()
    left = [0]

    def one_durable() -> None:
        left[0] -= 1
        if left[0] == 0 and not done.done():
            done.set_result(None)

    for author, change in writes:
        left[0] += room.apply_server_change(change, author, one_durable)
    if left[0] == 0:
        return
    with contextlib.suppress(TimeoutError):  # still queued: the writer retries; see /readyz
        await asyncio.wait_for(done, DURABLE_WAIT_SECONDS)


async def agree_round(request: Request) -> Response:
    found, board, who = await round_for(request, facilitator=True)
    data = await body(request, "api/round-agree.request.schema.json")
    if found.is_open:
        raise Conflict("reveal the round before recording what the group agreed")
    if found.kind == "vote":
        agreed = votes.agreed_content(found, data)
    else:
        agreed = agreed_content(found.kind, data)
    svc = services(request)
    by = _facilitator(request, who, board.id, data.get("name"))
    session = await blocking(archive.open_session, svc.engine, board.id)
    session_id = None if session is None else session.id
    found = await blocking(
        rounds.record_agreed, svc.engine, found.id, agreed, (by.invite_id, by.name), session_id
    )
    room = await svc.rooms.get(board.id)
    if found.id not in root(room.doc, ROUNDS):
        await _write_reveal(room, found, await blocking(rounds.answers, svc.engine, found.id), by)
    in_doc = {**agreed, "at": iso(found.agreed_at or time.time())}
    in_doc |= {k: v for k, v in (("by", by.name), ("session", session_id)) if v}
    await _durably(room, [(by, lambda doc: write_agreed(doc, found.id, in_doc))])
    svc.rooms.notify_board(board.id, NOTICE, found.id)
    return await _round_response(request, found)


ROUND = {200: "api/round.schema.json", 404: PROBLEM}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/api/boards/{board_id}/rounds",
        open_round,
        "Open a private round (one open round per board)",
        AUTH_FACILITATOR,
        {201: "api/round.schema.json", 404: PROBLEM, 409: PROBLEM},
        "api/round-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/rounds",
        list_board_rounds,
        "A board's private rounds: who answered; the answers once revealed",
        AUTH_ANY,
        {200: "api/round-list.schema.json", 404: PROBLEM},
    ),
    Endpoint("GET", "/api/rounds/{round_id}", get_round, "A private round", AUTH_ANY, ROUND),
    Endpoint(
        "PUT",
        "/api/rounds/{round_id}/answers/mine",
        put_my_answer,
        "Answer a private round alone, or replace one's answer (until the reveal)",
        AUTH_ANSWER,
        {200: "api/round-answer.schema.json", 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
        ANSWERS,
    ),
    Endpoint(
        "GET",
        "/api/rounds/{round_id}/answers/mine",
        get_my_answer,
        "One's own answer (the invite's, under that name)",
        AUTH_ANSWER,
        {200: "api/round-answer.schema.json", 403: PROBLEM, 404: PROBLEM},
        query={"name": {"type": "string", "description": "The name answered with"}},
    ),
    Endpoint(
        "POST",
        "/api/rounds/{round_id}/reveal",
        reveal_round,
        "Reveal every answer at once; they enter the board attributed to their authors",
        AUTH_FACILITATOR,
        {**ROUND, 409: PROBLEM},
    ),
    Endpoint(
        "POST",
        "/api/rounds/{round_id}/agree",
        agree_round,
        "Record what the group agreed after the reveal (with the open session)",
        AUTH_FACILITATOR,
        {**ROUND, 409: PROBLEM},
        "api/round-agree.request.schema.json",
    ),
)
