"""HTML pages, rendered from ``web/templates``."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
templates = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=select_autoescape(["html"])
)


async def home(request: Request) -> Response:
    html = templates.get_template("index.html").render(lang="fr")
    return HTMLResponse(html)


def routes() -> list[BaseRoute]:
    return [Route("/", home)]
