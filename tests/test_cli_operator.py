"""The operator's commands: a programme's start scripted without curl, against a live server."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from tests.support.archive import end_session, start_session
from tests.support.atelier_server import AtelierServer


def atelier_cli(server: AtelierServer, *args: str) -> subprocess.CompletedProcess[str]:
    """``atelier`` run as an operator would, the token in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args, "--server", server.base_url],
        capture_output=True,
        text=True,
        timeout=120,
        env={"ATELIER_ADMIN_TOKEN": server.admin_token, "PATH": "/usr/bin:/bin"},
        check=False,
    )


def cli_json(server: AtelierServer, *args: str) -> Any:
    run = atelier_cli(server, *args, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_a_site_its_board_and_a_participant_link_from_the_command_line(
    atelier: AtelierServer,
) -> None:
    site = cli_json(atelier, "site", "create", "Val de Saône", "--hours", "12")
    assert (site["title"], site["coaching_hours"]) == ("Val de Saône", 12)
    board = cli_json(atelier, "board", "create", "Atelier 1", "--site", site["id"])
    run = atelier_cli(
        atelier, "invite", "create", "--board", board["id"], "--role", "participant",
        "--party", "etat", "--label", "Préfecture",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    token = run.stdout.split()[-1].rsplit("/join/", 1)[1]
    me = atelier.api("GET", "/api/me", token).json()
    assert (me["role"], me["party"], me["board"]) == ("participant", "etat", board["id"])


def test_lists_show_one_line_per_record(atelier: AtelierServer) -> None:
    site = cli_json(atelier, "site", "create", "Lunel")
    cli_json(atelier, "board", "create", "Séance A", "--site", site["id"])
    cli_json(atelier, "board", "create", "Séance B", "--site", site["id"])
    run = atelier_cli(atelier, "board", "list", "--site", site["id"])
    assert run.returncode == 0
    assert len(run.stdout.strip().splitlines()) == 2
    assert "Séance A" in run.stdout
    assert "Séance B" in run.stdout


def test_revoking_from_the_command_line_ends_the_link(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    invite = cli_json(atelier, "invite", "create", "--board", board, "--role", "observer")
    revoked = cli_json(atelier, "invite", "revoke", invite["id"])
    assert revoked["revoked_at"] is not None
    assert atelier.api("GET", "/api/me", invite["token"]).status_code == 403


def test_a_coordinator_link_is_a_programme_invite(atelier: AtelierServer) -> None:
    invite = cli_json(atelier, "invite", "create", "--role", "coordinator")
    assert (invite["board"], invite["site"]) == (None, None)
    listed = cli_json(atelier, "invite", "list")["invites"]
    assert invite["id"] in [i["id"] for i in listed]


def test_a_session_evidence_bundle_saved_to_a_file_verifies(
    atelier: AtelierServer, tmp_path: Path
) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance")
    end_session(atelier, session["id"], facilitator)
    target = tmp_path / "evidence.zip"
    run = atelier_cli(atelier, "export", "evidence", session["id"], "-o", str(target))
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(target)
    verify = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(target)],
        capture_output=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout


def test_a_refusal_is_the_server_problem_detail_and_exit_1(atelier: AtelierServer) -> None:
    run = atelier_cli(atelier, "board", "create", "x", "--site", "no-such-site")
    assert run.returncode == 1
    assert run.stderr.startswith("atelier: 404: ")
    assert "no-such-site" in run.stderr


def test_an_unreachable_server_says_so(atelier: AtelierServer) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "server.cli", "site", "list", "--server", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        env={"ATELIER_ADMIN_TOKEN": "x" * 40, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert run.returncode == 1
    assert "cannot reach http://127.0.0.1:9" in run.stderr


def test_a_site_dossier_saved_to_a_file_verifies(atelier: AtelierServer, tmp_path: Path) -> None:
    site = cli_json(atelier, "site", "create", "Dossier CLI")
    board = cli_json(atelier, "board", "create", "Atelier", "--site", site["id"])["id"]
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance")
    end_session(atelier, session["id"], facilitator)
    target = tmp_path / "dossier.zip"
    run = atelier_cli(atelier, "export", "dossier", site["id"], "-o", str(target))
    assert run.returncode == 0, run.stderr
    verify = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(target)],
        capture_output=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout
