"""The site dossier: a report across every session, and a zip of all its evidence that
`atelier verify` accepts, and refuses after any kind of tampering."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from server.archive.hashing import sha256_hex
from server.archive.verify import verify_bundle
from tests.support.atelier_server import AtelierServer
from tests.support.journeys import Site


@pytest.fixture(scope="module")
def site(atelier: AtelierServer) -> Site:
    """Two sessions on one board: the second continues the first's chain."""
    site = Site(atelier, "Haute-Saintonge")
    site.positioning_session("Séance 1", {"etat": "communication"}, agreed="coexistence")
    site.positioning_session("Séance 2", {"etat": "coordination"}, agreed="coordination")
    return site


@pytest.fixture(scope="module")
def dossier_zip(atelier: AtelierServer, site: Site) -> bytes:
    response = atelier.api("GET", f"/api/sites/{site.id}/dossier?format=zip")
    assert response.status_code == 200, response.text
    return response.content


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes], order: list[str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order or sorted(files):
            archive.writestr(name, files[name])
    return out.getvalue()


def resum(files: dict[str, bytes]) -> None:
    """What a careful forger does after a change: recompute SHA256SUMS."""
    lines = [f"{sha256_hex(files[n])}  {n}\n" for n in sorted(files) if n != "SHA256SUMS"]
    files["SHA256SUMS"] = "".join(lines).encode()


def failed(data: bytes) -> set[str]:
    return {check.name for check in verify_bundle(data).checks if not check.ok}


def test_the_html_report_draws_the_trajectory_and_names_every_session(
    atelier: AtelierServer, site: Site
) -> None:
    response = atelier.api("GET", f"/api/sites/{site.id}/dossier?format=html")
    assert response.status_code == 200
    html = response.text
    assert "Dossier du site — Haute-Saintonge" in html
    assert html.count('role="img"') == 2  # the trajectory and the chain
    assert "1. Séance 1" in html
    assert "2. Séance 2" in html
    assert "Coordination" in html


def test_the_english_report_is_in_english(atelier: AtelierServer, site: Site) -> None:
    html = atelier.api("GET", f"/api/sites/{site.id}/dossier?format=html&lang=en").text
    assert '<html lang="en">' in html
    assert "Site dossier — Haute-Saintonge" in html


def test_the_pdf_is_tagged_for_screen_readers(atelier: AtelierServer, site: Site) -> None:
    response = atelier.api("GET", f"/api/sites/{site.id}/dossier?format=pdf")
    assert response.headers["content-type"] == "application/pdf"
    root = PdfReader(io.BytesIO(response.content)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"


def test_the_zip_verifies_offline(dossier_zip: bytes, tmp_path: Path) -> None:
    verdict = verify_bundle(dossier_zip)
    assert verdict.ok, [c.detail for c in verdict.checks if not c.ok]
    names = {check.name for check in verdict.checks}
    assert {"dossier_members", "dossier_sessions", "dossier_order"} <= names


def test_the_zip_binds_both_sessions_in_order(dossier_zip: bytes) -> None:
    manifest = json.loads(members(dossier_zip)["manifest.json"])
    first, second = manifest["sessions"]
    assert [first["title"], second["title"]] == ["Séance 1", "Séance 2"]
    assert second["follows"] == first["id"]


def test_a_changed_session_bundle_is_found(dossier_zip: bytes) -> None:
    files = members(dossier_zip)
    name = next(n for n in files if n.startswith("sessions/01-"))
    inner = members(files[name])
    inner["log/updates.jsonl"] = inner["log/updates.jsonl"].replace(b'"etat"', b'"xtat"', 1)
    files[name] = rezip(inner)
    resum(files)
    assert "dossier_sessions" in failed(rezip(files))


def test_a_removed_session_is_found(dossier_zip: bytes) -> None:
    files = members(dossier_zip)
    del files[next(n for n in files if n.startswith("sessions/02-"))]
    resum(files)
    assert {"dossier_members", "dossier_sessions"} <= failed(rezip(files))


def test_an_added_member_is_found(dossier_zip: bytes) -> None:
    files = members(dossier_zip)
    files["sessions/03-forged.zip"] = b"not evidence"
    resum(files)
    assert "dossier_members" in failed(rezip(files))


def test_swapped_sessions_are_found(dossier_zip: bytes) -> None:
    files = members(dossier_zip)
    manifest = json.loads(files["manifest.json"])
    first, second = manifest["sessions"]
    files[first["file"]], files[second["file"]] = files[second["file"]], files[first["file"]]
    for entry, other in ((first, second), (second, first)):
        entry["sha256"] = sha256_hex(files[entry["file"]])
        entry["id"], entry["head"] = other["id"], other["head"]
    files["manifest.json"] = json.dumps(manifest).encode()
    resum(files)
    assert "dossier_order" in failed(rezip(files))


def test_reordered_members_are_found(dossier_zip: bytes) -> None:
    files = members(dossier_zip)
    assert "dossier_members" in failed(rezip(files, order=sorted(files, reverse=True)))


def test_the_cli_verifies_the_dossier(dossier_zip: bytes, tmp_path: Path) -> None:
    target = tmp_path / "dossier.zip"
    target.write_bytes(dossier_zip)
    run = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(target)],
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout.decode()


def test_a_coordinator_downloads_it_and_a_participant_cannot(
    atelier: AtelierServer, site: Site
) -> None:
    coordinator = atelier.api("POST", "/api/programme/invites", json={"role": "coordinator"})
    path = f"/api/sites/{site.id}/dossier?format=html"
    assert atelier.api("GET", path, coordinator.json()["token"]).status_code == 200
    assert atelier.api("GET", path, site.participants["etat"]).status_code == 403
