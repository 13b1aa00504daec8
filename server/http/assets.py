"""The built browser assets under ``/static``: compressed, and cached as long as they can be.

Participants join from weak lines, so each byte of the first load counts. The bundles carry
their content hash in their name (``web/build.mjs`` writes ``app/manifest.json`` mapping
``board.js`` to ``board-1A2B3C4D.js``, and a ``.br`` and ``.gz`` copy of each): such a file
never changes, so it is sent with ``Cache-Control: public, max-age=31536000, immutable`` and,
precompressed, as brotli or gzip. Files without a hash in their name (``atelier.css``, the
icon) are linked as ``?v=<digest>``: with that current digest they are immutable too, without
it they must be revalidated; they are gzipped here once per version. Pages (HTML) are never
cached by the browser (``no-cache``/``no-store``, set by ``pages.render``) and gzipped too.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import re
from functools import cache
from pathlib import Path

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

MANIFEST = Path("app") / "manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED = re.compile(r"-[A-Z0-9]{8}\.js$")
"""A bundle name as esbuild's ``[name]-[hash]`` writes it."""
COMPRESSIBLE = {".js", ".css", ".svg", ".txt", ".json", ".html"}
SMALLEST_WORTH_COMPRESSING = 512
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


@cache
def manifest(static_dir: Path) -> dict[str, str]:
    """Each page bundle's hashed file name (read once: the files are built before release)."""
    path = static_dir / MANIFEST
    if not path.is_file():
        return {}
    names: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return names


@cache
def digest(static_dir: Path, path: str) -> str:
    return hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:12]


def asset_url(static_dir: Path, path: str) -> str:
    """The URL of a static file: a bundle's hashed name, else the file versioned by content."""
    folder, _, name = path.rpartition("/")
    hashed = manifest(static_dir).get(name) if folder == "app" else None
    if hashed is not None:
        return f"/static/app/{hashed}"
    return f"/static/{path}?v={digest(static_dir, path)}"


def accepts(scope: Scope, encoding: str) -> bool:
    """Whether the request's Accept-Encoding lists ``encoding`` (without refusing it, q=0)."""
    for part in Headers(scope=scope).get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == encoding and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def gzipped(body: bytes) -> bytes:
    """Deterministic gzip (no time stamp), so the same page is the same bytes."""
    return gzip.compress(body, compresslevel=6, mtime=0)


@cache
def _gzipped_file(path: Path, mtime_ns: int, size: int) -> bytes:
    del mtime_ns, size  # part of the cache key only: a rebuilt file is compressed again
    return gzipped(path.read_bytes())


class Assets(StaticFiles):
    """StaticFiles that sends the precompressed copy a browser accepts, or gzips on the fly
    (once per file version), and says how long the browser may keep it."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        name = Path(path).name
        versioned = QueryParams(scope.get("query_string", b"")).get("v")
        immutable = bool(HASHED.search(name)) or (
            versioned is not None and versioned == digest(Path(str(self.directory)), path)
        )
        response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
        if Path(name).suffix not in COMPRESSIBLE:
            return response
        response.headers["Vary"] = "Accept-Encoding"
        if response.status_code == 304:
            return response
        return await self.compressed(path, scope, response)

    async def compressed(self, path: str, scope: Scope, plain: Response) -> Response:
        for encoding, suffix in PRECOMPRESSED:
            if not accepts(scope, encoding):
                continue
            full, stat = await asyncio.to_thread(self.lookup_path, path + suffix)
            if full and stat is not None:
                response = await super().get_response(path + suffix, scope)
                for header in ("Cache-Control", "Vary", "Content-Type"):
                    response.headers[header] = plain.headers[header]
                response.headers["Content-Encoding"] = encoding
                return response
        if not accepts(scope, "gzip"):
            return plain
        full, stat = await asyncio.to_thread(self.lookup_path, path)
        if not full or stat is None or stat.st_size < SMALLEST_WORTH_COMPRESSING:
            return plain
        body = await asyncio.to_thread(_gzipped_file, Path(full), stat.st_mtime_ns, stat.st_size)
        # no ETag: the plain file's would name another representation
        headers = {
            key: plain.headers[key]
            for key in ("Cache-Control", "Vary", "Content-Type", "Last-Modified")
            if key in plain.headers
        }
        headers["Content-Encoding"] = "gzip"
        return Response(body, headers=headers)
