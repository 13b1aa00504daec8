"""The browser client as shipped: the committed bundle is what web/src builds, every UI string
exists in French and English, and a wheel carries the templates and assets (no Node needed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"

# Keys built at run time rather than written out in a t('...') call.
DYNAMIC_KEYS = {
    *(f"status.{s}" for s in ("connecting", "saved", "saving", "offline", "closed")),
    *(f"role.{r}" for r in ("facilitator", "participant", "observer")),
    *(f"closed.{c}" for c in ("tooBig", "malformed", "unauthenticated", "forbidden", "noBoard")),
    *(
        f"archive.kind.{k}"
        for k in ("notes_created", "moves", "text_edits", "votes", "approvals", "chain_items")
    ),
    "archive.kind.links",
    *(
        f"archive.kind.{k}"
        for k in ("round_answers", "condition_scores", "support_changes", "characters")
    ),
}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed to check the bundle (`make test` expects it)")
    return found


def test_the_committed_bundle_is_exactly_what_the_sources_build() -> None:
    if not (WEB / "node_modules" / "esbuild").is_dir():
        pytest.fail("web/node_modules is missing: run `make install-test` (npm ci --prefix web)")
    result = subprocess.run(
        [node(), "build.mjs", "--check"], cwd=WEB, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr or result.stdout


def test_the_bundle_ships_the_licences_of_the_locked_packages() -> None:
    notices = (WEB / "static" / "app" / "THIRD_PARTY_LICENSES.txt").read_text(encoding="utf-8")
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("yjs", "y-websocket", "y-protocols", "lib0", "y-indexeddb"):
        version = lock["packages"][f"node_modules/{name}"]["version"]
        assert f"{name} {version} (MIT)" in notices
    assert lock["packages"]["node_modules/yjs"]["version"] == "13.6.33"
    assert lock["packages"]["node_modules/y-websocket"]["version"] == "3.1.0"


def used_keys() -> set[str]:
    keys: set[str] = set()
    for source in (WEB / "src").rglob("*.js"):
        text = source.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\s*['`]([a-zA-Z]+\.[a-zA-Z.]+)['`]", text))
        ternary = r"'([a-z]+\.[a-zA-Z]+)'\s*:\s*'([a-z]+\.[a-zA-Z]+)'"  # cond ? 'a.b' : 'c.d'
        for pair in re.findall(ternary, text):
            keys |= set(pair)
    for template in (WEB / "templates").glob("*.html"):
        keys |= set(re.findall(r"t\['([a-zA-Z.]+)'\]", template.read_text(encoding="utf-8")))
    pages = (ROOT / "server" / "http" / "pages.py").read_text(encoding="utf-8")
    keys |= set(re.findall(r'"((?:join|board)\.[a-zA-Z]+)"', pages)) - {"join.html", "board.html"}
    return keys | DYNAMIC_KEYS


def test_every_ui_string_exists_in_french_and_english() -> None:
    table = json.loads((WEB / "templates" / "i18n.json").read_text(encoding="utf-8"))
    missing = sorted(key for key in used_keys() if key not in table)
    assert not missing, f"keys used but not in web/templates/i18n.json: {missing}"
    for key, text in table.items():
        assert set(text) == {"fr", "en"}, key
        assert text["fr"].strip(), key
        assert text["en"].strip(), key
        assert set(re.findall(r"\{\w+\}", text["fr"])) == set(re.findall(r"\{\w+\}", text["en"])), (
            key
        )


def test_a_wheel_carries_the_templates_and_the_built_assets(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "server", source / "server", ignore=shutil.ignore_patterns("__pycache__")
    )
    for part in ("templates", "static"):
        shutil.copytree(WEB / part, source / "web" / part)
    shutil.copytree(ROOT / "schemas", source / "schemas")
    out = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), "."]
    result = subprocess.run(build, cwd=source, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (wheel,) = out.glob("atelier-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"server/web/{path.relative_to(source / 'web').as_posix()}"
        for path in (source / "web").rglob("*")
        if path.is_file()
    }
    assert {"server/web/templates/board.html", "server/web/static/app/manifest.json"} <= shipped
    assert shipped - names == set()
    assert not [n for n in names if "node_modules" in n or n.startswith("server/web/src")]
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "server").rglob("*.py")}
    assert {f"{pkg}/" for pkg in packages} <= {n.rsplit("/", 1)[0] + "/" for n in names}
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    assert "server/schemas/board.schema.json" in names
    assert "server/schemas/api/board.schema.json" in names
    assert "server/store/migrations/versions/0001_initial.py" in names
    probe = "import server.http.pages as p; print(p.WEB_DIR); print(p.asset('app/board.js'))"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    web_dir, url = found.stdout.split()
    assert Path(web_dir) == unpacked / "server" / "web"
    assert re.fullmatch(r"/static/app/board-[A-Z0-9]{8}\.js", url), url
