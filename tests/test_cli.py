"""The ``atelier`` command: first run prints what a new operator needs, once."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.support.atelier_server import AtelierServer


def test_first_run_creates_a_demo_board_and_prints_a_facilitator_link(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    server = start_atelier()
    match = re.search(r"Facilitator link \(keep it private\): (\S+)/join/(\S+)", server.log())
    assert match is not None, server.log()
    me = server.api("GET", "/api/me", token=match.group(2)).json()
    assert (me["role"], me["board"]) == ("facilitator", "atelier-demo")
    server.restart()
    assert server.log().count("Facilitator link") == 1


def test_the_operator_token_is_created_once_and_kept_private(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    server = start_atelier(ATELIER_ADMIN_TOKEN="")
    token_file = server.data_dir / "admin-token"
    token = token_file.read_text().strip()
    assert f"Operator token (shown once, kept in {token_file}): {token}" in server.log()
    assert token_file.stat().st_mode & 0o077 == 0
    server.restart()
    assert server.log().count(token) == 1
    assert server.api("GET", "/api/me", token=token).json()["role"] == "operator"
