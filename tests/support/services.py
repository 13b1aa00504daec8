"""Real PostgreSQL and Redis servers for the tests, started from the Debian packages.

Outside CI a missing server skips its tests with a loud reason; in CI (``CI`` set, as
``.ci/run`` does) it is an error, since the test command installs them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.atelier_server import free_port

STARTUP_SECONDS = 30.0


def _unavailable(what: str) -> None:
    message = f"{what} is not installed; `make test` installs it (apt). These tests did NOT run."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root; run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway cluster on a free loopback port; yields its admin URL."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        _unavailable("PostgreSQL (Debian package postgresql)")
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            str(int(STARTUP_SECONDS)),
            "start",
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(
        admin_url.replace("postgresql://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def make_certificates(folder: Path) -> Path:
    """A certificate authority and a server certificate for 127.0.0.1 signed by it
    (``server.crt``, ``server.key``) in ``folder``; returns the authority's certificate."""
    if shutil.which("openssl") is None:
        _unavailable("OpenSSL (Debian package openssl)")

    def openssl(command: str) -> None:
        subprocess.run(["openssl", *command.split()], cwd=folder, check=True, capture_output=True)

    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Test-CA -keyout ca.key -out ca.crt"
    )
    openssl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl(
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
        " -extfile san.ext -out server.crt"
    )
    return folder / "ca.crt"


class RedisServer:
    """A redis-server process on a free loopback port, that tests can stop and restart;
    with ``tls``, it speaks TLS only, with a certificate of a test authority."""

    def __init__(self, password: str | None = None, *, tls: bool = False) -> None:
        if shutil.which("redis-server") is None:
            _unavailable("Redis (Debian package redis-server)")
        self.password = password
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="atelier-redis-"))
        self.ca = make_certificates(self.dir) if tls else None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        secret = f":{self.password}@" if self.password else ""
        if self.ca is not None:
            return f"rediss://{secret}127.0.0.1:{self.port}/0?ssl_ca_certs={self.ca}"
        return f"redis://{secret}127.0.0.1:{self.port}/0"

    def _listen(self) -> list[str]:
        if self.ca is None:
            return ["--port", str(self.port)]
        return ["--port", "0", "--tls-port", str(self.port), "--tls-auth-clients", "no",
                "--tls-cert-file", str(self.dir / "server.crt"),
                "--tls-key-file", str(self.dir / "server.key"),
                "--tls-ca-cert-file", str(self.ca)]  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *self._listen(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                *(["--requirepass", self.password] if self.password else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                with redis.Redis.from_url(self.url, socket_timeout=0.5) as client:
                    client.ping()
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill_clients(self, kind: str) -> int:
        """``CLIENT KILL TYPE kind`` (e.g. ``normal``: every connection but subscribers'):
        how many connections Redis closed."""
        import redis

        with redis.Redis.from_url(self.url) as client:
            return int(client.execute_command("CLIENT", "KILL", "TYPE", kind))

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
