"""A real ``atelier serve`` process on a free port, for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AtelierServer:
    """Start, stop, kill and restart one server process over one data directory."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.admin_token = "test-operator-token-long-enough-for-the-32-char-rule"
        self.port = free_port()
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"
        self._boards = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/boards"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        env = {**os.environ, "ATELIER_ADMIN_TOKEN": self.admin_token, **self.extra_env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), "--log-level", "info"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start in {STARTUP_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> int:
        """Graceful stop (SIGTERM); returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.process = None
        return code

    def kill9(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def restart(self, *, hard: bool = False) -> None:
        if hard:
            self.kill9()
        else:
            self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- API helpers ------------------------------------------------------------------

    def api(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        return httpx.request(
            method, f"{self.base_url}{path}", headers=headers, timeout=10, **kwargs
        )

    def create_board(self, template: str = "workshop", board_id: str | None = None) -> str:
        self._boards += 1
        board_id = board_id or f"board-{self._boards}-{os.urandom(3).hex()}"
        response = self.api(
            "POST", "/api/boards", json={"id": board_id, "title": "Test", "template": template}
        )
        assert response.status_code == 201, response.text
        return board_id

    def invite_record(
        self, board_id: str, role: str = "participant", **body: Any
    ) -> dict[str, Any]:
        response = self.api("POST", f"/api/boards/{board_id}/invites", json={"role": role, **body})
        assert response.status_code == 201, response.text
        record: dict[str, Any] = response.json()
        return record

    def invite(self, board_id: str, role: str = "participant", party: str | None = None) -> str:
        """A token; ``party`` only for participants (the party their connections speak for)."""
        body = {} if party is None else {"party": party}
        return str(self.invite_record(board_id, role, **body)["token"])
