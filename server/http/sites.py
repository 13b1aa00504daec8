"""Sites, and the programme above them: the territories, their invites, and the national
team's (coordinators') invites.

Handlers parse, ask ``access``, call one store function, and answer.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from server.archive import site_report
from server.archive.programme import programme, programme_csv
from server.archive.site_dossier import build_site_bundle, site_dossier
from server.archive.trajectory import trajectory
from server.core.auth import Role
from server.core.slugs import slug_from
from server.http.access import board_for, operator, programme_reader, site_for
from server.http.boards import create_invite_response
from server.http.endpoints import (
    AUTH_OPERATOR,
    AUTH_PROGRAMME,
    AUTH_RECORDS,
    AUTH_SITE_FACILITATOR,
    AUTH_SITE_READER,
    PROBLEM,
    Endpoint,
)
from server.http.requests import blocking, body, choice
from server.http.services import services
from server.http.sessions import REPORT_HEADERS
from server.http.views import board_json, coaching_json, invite_json, site_json
from server.store import archive, catalog

LANGS = ("fr", "en")
DOSSIER_FORMATS = ("html", "pdf", "zip")


async def create_site(request: Request) -> Response:
    await operator(request)
    data = await body(request, "api/site-create.request.schema.json")
    title = data["title"].strip()
    site_id = data.get("id") or slug_from(title)
    hours = data.get("coaching_hours", catalog.DEFAULT_COACHING_HOURS)
    site = await blocking(catalog.create_site, services(request).engine, site_id, title, hours)
    return JSONResponse(site_json(site), status_code=201)


async def update_site(request: Request) -> Response:
    await operator(request)
    site, _ = await site_for(request)
    data = await body(request, "api/site-update.request.schema.json")
    title = data["title"].strip() if "title" in data else None
    site = await blocking(
        catalog.update_site,
        services(request).engine,
        site.id,
        title=title,
        coaching_hours=data.get("coaching_hours"),
    )
    return JSONResponse(site_json(site))


async def list_sites(request: Request) -> Response:
    await programme_reader(request)
    sites = await blocking(catalog.list_sites, services(request).engine)
    return JSONResponse({"sites": [site_json(site) for site in sites]})


async def get_site(request: Request) -> Response:
    site, _ = await site_for(request, read=True)
    engine = services(request).engine
    boards = await blocking(catalog.site_boards, engine, site.id)
    invites = await blocking(catalog.list_invites, engine, board_id=None, site_id=site.id)
    used = await blocking(archive.coaching_used_seconds, engine, time.time(), site_id=site.id)
    return JSONResponse(
        {
            **site_json(site),
            "coaching": coaching_json(site, used),
            "boards": [board_json(board) for board in boards],
            "invites": [invite_json(request, invite, None) for invite in invites],
        }
    )


async def get_programme(request: Request) -> Response:
    """The national dashboard's rows: one per site."""
    await programme_reader(request)
    form, lang = choice(request, "format", ("json", "csv")), choice(request, "lang", LANGS)
    table = await blocking(programme, services(request).engine, time.time())
    if form == "json":
        return JSONResponse(table)
    text = "\ufeff" + programme_csv(table, lang)  # the byte-order mark Excel needs for UTF-8
    disposition = f'attachment; filename="atelier-programme-{lang}.csv"'
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


async def site_dossier_export(request: Request) -> Response:
    """The site's report across every session (HTML, PDF), or as a zip with every ended
    session's evidence bundle, checked offline by ``atelier verify``."""
    site, _ = await site_for(request, read=True)
    form, lang = choice(request, "format", DOSSIER_FORMATS), choice(request, "lang", LANGS)
    engine = services(request).engine
    dossier = await blocking(site_dossier, engine, site.id)
    stem = f"atelier-site-{site.id}"
    if form == "html":
        html = await blocking(site_report.render_html, dossier, lang)
        disposition = f'attachment; filename="{stem}-{lang}.html"'
        return HTMLResponse(html, headers={**REPORT_HEADERS, "Content-Disposition": disposition})
    if form == "pdf":
        pdf = await blocking(site_report.render_pdf, dossier, lang)
        headers = {"Content-Disposition": f'inline; filename="{stem}-{lang}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)
    zipped = await blocking(build_site_bundle, engine, dossier)
    headers = {"Content-Disposition": f'attachment; filename="{stem}.zip"'}
    return Response(zipped, media_type="application/zip", headers=headers)


async def site_trajectory(request: Request) -> Response:
    """How the site's cooperation evolved, session by session."""
    site, _ = await site_for(request, read=True)
    engine = services(request).engine
    return JSONResponse(await blocking(trajectory, engine, site.id, time.time()))


async def board_coaching(request: Request) -> Response:
    """What the facilitator's panel shows: the site's coaching hours used and left."""
    board, _ = await board_for(request, facilitator=False, records=True)
    engine, now = services(request).engine, time.time()
    if board.site_id is None:
        used = await blocking(archive.coaching_used_seconds, engine, now, board_id=board.id)
        return JSONResponse(coaching_json(None, used))
    site = await blocking(catalog.require_site, engine, board.site_id)
    used = await blocking(archive.coaching_used_seconds, engine, now, site_id=site.id)
    return JSONResponse(coaching_json(site, used))


async def create_site_invite(request: Request) -> Response:
    site, who = await site_for(request)
    return await create_invite_response(request, who, board_id=None, site_id=site.id)


async def create_programme_invite(request: Request) -> Response:
    """A coordinator's link: reads every site and board of the programme, changes none."""
    await operator(request)
    data = await body(request, "api/programme-invite-create.request.schema.json")
    settings = services(request).settings
    invite, token = await blocking(
        catalog.create_invite,
        services(request).engine,
        board_id=None,
        site_id=None,
        role=Role.COORDINATOR,
        label=data.get("label"),
        expires_in=data.get("expires_in", settings.invite_default_expiry_seconds),
    )
    return JSONResponse(invite_json(request, invite, token), status_code=201)


async def list_programme_invites(request: Request) -> Response:
    await operator(request)
    invites = await blocking(catalog.programme_invites, services(request).engine)
    return JSONResponse({"invites": [invite_json(request, i, None) for i in invites]})


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/api/sites",
        create_site,
        "Create a site",
        AUTH_OPERATOR,
        {201: "api/site.schema.json", 409: PROBLEM},
        "api/site-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/sites",
        list_sites,
        "List sites",
        AUTH_PROGRAMME,
        {200: "api/site-list.schema.json"},
    ),
    Endpoint(
        "GET",
        "/api/sites/{site_id}",
        get_site,
        "A site, its boards and invites",
        AUTH_SITE_READER,
        {200: "api/site-detail.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "PATCH",
        "/api/sites/{site_id}",
        update_site,
        "Rename a site or change its coaching budget",
        AUTH_OPERATOR,
        {200: "api/site.schema.json", 404: PROBLEM},
        "api/site-update.request.schema.json",
    ),
    Endpoint(
        "POST",
        "/api/sites/{site_id}/invites",
        create_site_invite,
        "Invite valid on every board of the site",
        AUTH_SITE_FACILITATOR,
        {201: "api/invite.schema.json", 404: PROBLEM},
        "api/invite-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/programme",
        get_programme,
        "The programme dashboard: one row per site (JSON, or CSV for spreadsheets)",
        AUTH_PROGRAMME,
        {200: "api/programme.schema.json"},
        query={
            "format": {"enum": ["json", "csv"], "description": "json (default) or csv"},
            "lang": {"enum": list(LANGS), "description": "fr (default: semicolons) or en"},
        },
        media={"text/csv": {"type": "string"}},
    ),
    Endpoint(
        "GET",
        "/api/sites/{site_id}/dossier",
        site_dossier_export,
        "The site dossier: report across every session, or zip of all its evidence",
        AUTH_SITE_READER,
        {404: PROBLEM},
        query={
            "format": {"enum": list(DOSSIER_FORMATS), "description": "html (default), pdf or zip"},
            "lang": {"enum": list(LANGS), "description": "fr (default) or en"},
        },
        media={
            "text/html": {"type": "string"},
            "application/pdf": {"type": "string", "format": "binary"},
            "application/zip": {"type": "string", "format": "binary"},
        },
    ),
    Endpoint(
        "GET",
        "/api/sites/{site_id}/trajectory",
        site_trajectory,
        "The site's sessions oldest first: positions, scores, agreement, chain, roles, voice",
        AUTH_SITE_READER,
        {200: "api/trajectory.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "GET",
        "/api/boards/{board_id}/coaching",
        board_coaching,
        "Coached hours used by the board's site, against its budget",
        AUTH_RECORDS,
        {200: "api/coaching.schema.json", 404: PROBLEM},
    ),
    Endpoint(
        "POST",
        "/api/programme/invites",
        create_programme_invite,
        "Invite a coordinator of the programme (reads everything, changes nothing)",
        AUTH_OPERATOR,
        {201: "api/invite.schema.json"},
        "api/programme-invite-create.request.schema.json",
    ),
    Endpoint(
        "GET",
        "/api/programme/invites",
        list_programme_invites,
        "The coordinators' invites",
        AUTH_OPERATOR,
        {200: "api/invite-list.schema.json"},
    ),
)
