"""The ``atelier`` command."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

import uvicorn

from server.boards.demo import demo_update
from server.core.auth import Role, mint_token
from server.core.logs import log_config
from server.core.settings import Settings
from server.http import operator_cli
from server.http.connections import http_protocol
from server.store import catalog
from server.store.db import Engine
from server.sync.transport import board_protocol

ADMIN_TOKEN_FILE = "admin-token"
DEMO_SITE = "demo"
DEMO_BOARD = "atelier-demo"
DEMO_TITLE = "Atelier de démonstration"
MIN_ADMIN_TOKEN_CHARS = 32
"""Shorter operator tokens are refused at start (a generated one has 43)."""


def operator_token(settings: Settings) -> tuple[str, bool]:
    """The operator token, from settings or the data dir; created (and flagged new) if absent."""
    if settings.admin_token:
        return strong_token(settings.admin_token, "ATELIER_ADMIN_TOKEN"), False
    path = settings.data_dir / ADMIN_TOKEN_FILE
    if path.exists():
        return strong_token(path.read_text().strip(), str(path)), False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = mint_token()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token, True


def strong_token(token: str, source: str) -> str:
    """The operator token rules every board: one a person could guess stops the start."""
    if len(token) < MIN_ADMIN_TOKEN_CHARS:
        raise SystemExit(
            f"atelier: refusing to start: the operator token from {source} has {len(token)} "
            f"characters, fewer than {MIN_ADMIN_TOKEN_CHARS}. Use a random one, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))', or leave "
            f"ATELIER_ADMIN_TOKEN empty to have one created in <data dir>/{ADMIN_TOKEN_FILE}."
        )
    return token


def warn_public_url(settings: Settings, host: str) -> None:
    """Invite links come from the request's Host header unless ATELIER_PUBLIC_URL is set:
    fine on this machine, a forged link anywhere else."""
    if settings.public_url or host == "localhost" or _loopback(host):
        return
    print(
        f"WARNING: ATELIER_PUBLIC_URL is not set and Atelier listens on {host}: invite links "
        "are built from each request's Host header, which the client chooses. Set "
        "ATELIER_PUBLIC_URL to the address people use (e.g. https://atelier.example.org).",
        file=sys.stderr,
        flush=True,
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def seed_demo(engine: Engine) -> str | None:
    """First run: a demo site, a workshop board and a facilitator invite, so that the printed
    link opens a real board. Returns the facilitator's token; None when boards exist."""
    if catalog.has_boards(engine):
        return None
    catalog.create_site(engine, DEMO_SITE, "Site de démonstration")
    seed = demo_update(DEMO_TITLE)  # a small workshop already under way, to show the product
    catalog.create_board(engine, DEMO_BOARD, DEMO_TITLE, "workshop", seed, DEMO_SITE)
    _, token = catalog.create_invite(
        engine,
        board_id=DEMO_BOARD,
        site_id=None,
        role=Role.FACILITATOR,
        label="Animateur (démonstration)",
        expires_in=None,
    )
    return token


def serve(args: argparse.Namespace) -> int:
    from server.app import create_app

    settings = Settings.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token, created = operator_token(settings)
    warn_public_url(settings, args.host)
    if created:
        print(
            f"Operator token (shown once, kept in {settings.data_dir / ADMIN_TOKEN_FILE}): {token}"
        )
    app = create_app(settings, admin_token=token)
    base = settings.public_url.rstrip("/") or f"http://{args.host}:{args.port}"
    demo_token = seed_demo(app.state.services.engine) if not args.no_demo else None
    if demo_token is not None:
        print(f"Demo board ready. Facilitator link (keep it private): {base}/join/{demo_token}")
    print(
        f"Atelier on http://{args.host}:{args.port}/ (data in {settings.data_dir.resolve()})",
        flush=True,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",  # libuv's event loop: a quarter less CPU per relayed update (README)
        http=http_protocol(settings),  # httptools, with header/body deadlines and a cap
        timeout_keep_alive=5,  # an idle kept-alive connection closes after 5 s
        ws=board_protocol(app.state.board_endpoint),
        ws_max_size=settings.max_frame_bytes,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ping_interval_seconds,
        ws_ping_timeout=settings.ping_timeout_seconds,
        lifespan="on",
        log_level=args.log_level,
        log_config=log_config(settings.log_format, args.log_level),
        timeout_graceful_shutdown=10,
    )
    return 0


def migrate_database(args: argparse.Namespace) -> int:
    from server.store import migrate
    from server.store.db import open_engine

    settings = Settings.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    engine = open_engine(settings.effective_database_url)
    before = migrate.current(engine)
    migrate.upgrade(engine)
    print(f"Database schema: {before or 'empty'} -> {migrate.current(engine)}")
    engine.dispose()
    return 0


def verify_bundle(args: argparse.Namespace) -> int:
    """Check an evidence bundle offline (no server, no database): 0 verified, 1 not, 2 unread."""
    from server.archive.verify import Unreadable, verdict_text, verify_bundle

    try:
        verdict = verify_bundle(Path(args.bundle))
    except OSError as exc:
        print(f"cannot read {args.bundle}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Unreadable as exc:
        print(
            f"cannot read {args.bundle} as an evidence bundle: {exc}. A bundle is the zip "
            "file given by GET /api/sessions/{id}/evidence, unchanged.",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(verdict_text(verdict, args.bundle))
    return 0 if verdict.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atelier", description="Collaborative workshop boards.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the server (SQLite under ./data by default)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--data-dir", default=None, help="default: $ATELIER_DATA_DIR or ./data")
    run.add_argument("--no-demo", action="store_true", help="do not create the first-run demo")
    run.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    run.set_defaults(handler=serve)
    upgrade = commands.add_parser("migrate", help="bring the database schema up to date")
    upgrade.add_argument("--data-dir", default=None, help="default: $ATELIER_DATA_DIR or ./data")
    upgrade.set_defaults(handler=migrate_database)
    check = commands.add_parser(
        "verify", help="check an evidence bundle offline (exit 0: verified)"
    )
    check.add_argument("bundle", help="the zip from GET /api/sessions/{id}/evidence")
    check.set_defaults(handler=verify_bundle)
    operator_cli.add_commands(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
