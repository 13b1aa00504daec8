"""What a weak line downloads: bundles under hashed names, cached for a year and sent brotli-
or gzip-compressed; pages gzipped and never cached; a real server answering real requests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.support.atelier_server import AtelierServer

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "web" / "static" / "app"
IMMUTABLE = "public, max-age=31536000, immutable"


def get(atelier: AtelierServer, path: str, encoding: str) -> httpx.Response:
    return httpx.get(f"{atelier.base_url}{path}", headers={"Accept-Encoding": encoding}, timeout=10)


def script_of(html: str) -> str:
    match = re.search(r'<script src="([^"]+)" defer>', html)
    assert match, html
    return match.group(1)


def test_pages_name_their_bundle_by_content_hash_from_the_build_manifest(
    atelier: AtelierServer,
) -> None:
    manifest = json.loads((APP / "manifest.json").read_text(encoding="utf-8"))
    board_id = atelier.create_board()
    page = get(atelier, f"/boards/{board_id}", "gzip")
    src = script_of(page.text)
    assert src == f"/static/app/{manifest['board.js']}"
    assert re.fullmatch(r"/static/app/board-[A-Z0-9]{8}\.js", src)
    assert get(atelier, "/static/app/board.js", "gzip").status_code == 404  # no unhashed copy


def test_a_hashed_bundle_is_immutable_and_sent_compressed_as_asked(atelier: AtelierServer) -> None:
    src = script_of(get(atelier, f"/boards/{atelier.create_board()}", "gzip").text)
    plain = get(atelier, src, "identity")
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == IMMUTABLE
    for encoding in ("br", "gzip"):
        response = get(atelier, src, encoding)
        assert response.headers["content-encoding"] == encoding
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["content-type"].startswith("text/javascript")
        assert "Accept-Encoding" in response.headers["vary"]
        assert int(response.headers["content-length"]) < len(plain.content) / 2
        assert response.content == plain.content  # decoded by httpx: the same bundle


def test_the_stylesheet_is_immutable_at_its_versioned_url_and_gzipped(
    atelier: AtelierServer,
) -> None:
    page = get(atelier, "/", "gzip").text
    match = re.search(r'href="(/static/atelier\.css\?v=[0-9a-f]+)"', page)
    assert match, page
    versioned = get(atelier, match.group(1), "gzip")
    assert versioned.headers["cache-control"] == IMMUTABLE
    assert versioned.headers["content-encoding"] == "gzip"
    assert get(atelier, "/static/atelier.css", "gzip").headers["cache-control"] == "no-cache"
    stale = get(atelier, "/static/atelier.css?v=000000000000", "gzip")
    assert stale.headers["cache-control"] == "no-cache"


def test_pages_are_gzipped_and_never_cached(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    for path in ("/", f"/boards/{board_id}"):
        response = get(atelier, path, "gzip, deflate, br")
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == "no-cache"
        assert "Accept-Encoding" in response.headers["vary"]
        assert "<!doctype html>" in response.text
    plain = get(atelier, "/", "identity")
    assert "content-encoding" not in plain.headers


def test_the_built_folder_holds_only_the_current_bundles() -> None:
    manifest = json.loads((APP / "manifest.json").read_text(encoding="utf-8"))
    expected = {"manifest.json", "THIRD_PARTY_LICENSES.txt"}
    for name in manifest.values():
        expected |= {name, f"{name}.gz", f"{name}.br"}
    assert {path.name for path in APP.iterdir()} == expected
