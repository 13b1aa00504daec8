"""HTML pages, rendered from ``web/templates``, and the built browser assets under ``/static``.

The pages carry no board content: the browser gets it live over the WebSocket. Each page
embeds what its script needs (language, UI strings, the programme's vocabulary, the board id)
as JSON. French is the default; ``?lang=en`` switches to English and is remembered in a
cookie. Templates and assets are found next to the package when installed from a wheel
(``server/web``) and at the top of the source tree otherwise (``web/``).
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from server.boards.labels import PARTY_BY_ID, french_spacing, pick
from server.boards.vocabulary import templates_catalog
from server.core.auth import FACILITATION, Grant
from server.core.errors import Forbidden, Unauthenticated
from server.core.resources import resource_dir
from server.core.slugs import is_slug
from server.http.assets import Assets, accepts, asset_url, gzipped
from server.http.services import Services
from server.store import catalog

LANGUAGES = ("fr", "en")
LANG_COOKIE = "atelier_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


WEB_DIR = resource_dir("web", "templates")
STATIC_DIR = WEB_DIR / "static"
templates = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def strings(lang: str) -> dict[str, str]:
    """The UI strings of one language (French typography applied to French)."""
    with (WEB_DIR / "templates" / "i18n.json").open(encoding="utf-8") as handle:
        table: dict[str, dict[str, str]] = json.load(handle)
    if lang == "en":
        return {key: text["en"] for key, text in table.items()}
    return {key: french_spacing(text["fr"]) for key, text in table.items()}


@cache
def asset(path: str) -> str:
    """The URL of a static file, named or versioned by its content so browsers never run a
    stale one and may keep it for a year (``server/http/assets.py``)."""
    return asset_url(STATIC_DIR, path)


templates.globals["asset"] = asset


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def language(request: Request) -> tuple[str, bool]:
    """The page's language and whether the visitor just chose it (to remember it)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    kept = request.cookies.get(LANG_COOKIE)
    return (kept if kept in LANGUAGES else "fr"), False


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    data: dict[str, Any] | None = None,
    private: bool = False,
    **context: Any,
) -> Response:
    lang, chosen = language(request)
    page_data = {"lang": lang, "strings": strings(lang), "catalog": templates_catalog()}
    page_data.update(data or {})
    html = templates.get_template(template).render(
        lang=lang, t=strings(lang), data=page_data, **context
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if accepts(request.scope, "gzip"):  # a weak line pays for every byte of the first load
        body = gzipped(html.encode("utf-8"))
        response = HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "no-store" if private else "no-cache"
    if chosen:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_COOKIE_SECONDS, samesite="lax", httponly=True
        )
    return response


def message(request: Request, status: int, heading_key: str, *paragraph_keys: str) -> Response:
    """A plain page that explains something in words (never a stack trace)."""
    lang, _ = language(request)
    words = strings(lang)
    return render(
        request,
        "message.html",
        status=status,
        private=True,
        heading=words[heading_key],
        paragraphs=[words[key] for key in paragraph_keys],
    )


async def home(request: Request) -> Response:
    return render(request, "index.html", data={"page": "home"})


def party_words(party: str | None, lang: str) -> str:
    """How the join page names the party an invite speaks for."""
    if party is None:
        return strings(lang)["join.noParty"]
    if party == FACILITATION:
        return strings(lang)["join.facilitationParty"]
    return pick(PARTY_BY_ID[party].label, lang)


async def join(request: Request) -> Response:
    token = request.path_params["token"]
    engine = services(request).engine
    try:
        grant = await asyncio.to_thread(catalog.verify_token, engine, token)
    except Forbidden:
        return message(request, 410, "join.revokedTitle", "join.revoked")
    except Unauthenticated as exc:
        if exc.extra.get("reason") == "expired":
            return message(request, 410, "join.expiredTitle", "join.expired")
        return message(request, 404, "join.unknownTitle", "join.unknown")
    if grant.board_id is not None:
        board = await asyncio.to_thread(catalog.get_board, engine, grant.board_id)
        boards = [] if board is None else [board]
    elif grant.site_id is not None:  # every board of the site: the visitor picks one
        boards = await asyncio.to_thread(catalog.site_boards, engine, grant.site_id)
    else:  # a coordinator's link opens the programme dashboard
        return await _join_programme(request, token, grant)
    if not boards:
        return message(request, 404, "join.noBoardTitle", "join.noBoard")
    board = boards[0]
    invite = await asyncio.to_thread(catalog.get_invite, engine, grant.invite_id)
    label = invite.label if invite else None
    lang, _ = language(request)
    invite_data = {
        "id": grant.invite_id,
        "token": token,
        "role": grant.role.value,
        "party": grant.party,
        "board": board.id,
        "boardTitle": board.title,
        "label": label,
        "expires_at": grant.expires_at,
        "boards": [{"id": b.id, "title": b.title} for b in boards] if len(boards) > 1 else [],
    }
    return render(
        request,
        "join.html",
        private=True,
        data={"page": "join", "invite": invite_data},
        board=board,
        invite=invite_data,
        party=party_words(grant.party, lang),
    )


async def _join_programme(request: Request, token: str, grant: Grant) -> Response:
    """The join page of a coordinator's link: a name, then the programme dashboard."""
    lang, _ = language(request)
    invite = await asyncio.to_thread(catalog.get_invite, services(request).engine, grant.invite_id)
    title = strings(lang)["join.coordinatorTitle"]
    invite_data: dict[str, Any] = {
        "id": grant.invite_id,
        "token": token,
        "role": grant.role.value,
        "party": None,
        "board": "",
        "boardTitle": title,
        "label": invite.label if invite else None,
        "expires_at": grant.expires_at,
        "boards": [],
    }
    return render(
        request,
        "join.html",
        private=True,
        data={"page": "join", "invite": invite_data},
        board={"title": title},
        invite=invite_data,
        party=party_words(None, lang),
    )


async def programme_page(request: Request) -> Response:
    """The dashboard's page; its script reads ``/api/programme`` with the visitor's token."""
    return render(request, "programme.html", data={"page": "programme"})


async def _board_page(request: Request, template: str, page: str) -> Response:
    """The same page for every board id that could exist, known or not: the token lives in
    the visitor's browser, so the server cannot check it here, and a title (or a 404 for an
    unknown id) would tell anyone what only the API may tell a token holder. The script
    asks the API with the token, then shows the title or why it cannot."""
    board_id = request.path_params["board_id"]
    if not is_slug(board_id):
        return message(request, 404, "board.notFoundTitle", "board.notFound")
    data = {"page": page, "boardId": board_id}
    return render(request, template, data=data, board_id=board_id)


async def board_page(request: Request) -> Response:
    return await _board_page(request, "board.html", "board")


async def replay_page(request: Request) -> Response:
    return await _board_page(request, "replay.html", "replay")


async def archive_page(request: Request) -> Response:
    return await _board_page(request, "archive.html", "archive")


def routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/join/{token}", join),
        Route("/programme", programme_page),
        Route("/boards/{board_id}", board_page),
        Route("/boards/{board_id}/replay", replay_page),
        Route("/boards/{board_id}/archive", archive_page),
        Mount("/static", app=Assets(directory=STATIC_DIR), name="static"),
    ]
