"""The operator's commands beside the API: sites, boards, invites, revocation and exports.

They speak to a running server over its HTTP API with the operator token, never to the
database directly: a revoked invite then closes its live connections on every instance, and
the same rules and errors apply as for any client. For scripting a programme's start
(30 sites, each with its boards and links): ``--json`` prints the API's answers unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:8000"
DEFAULT_TOKEN_FILE = "data/admin-token"
TIMEOUT_SECONDS = 120.0
"""A long PDF or evidence bundle is built on the server before the answer starts."""
ROLES = ("facilitator", "participant", "observer", "coordinator")
PARTIES = ("etat", "collectivite", "societe_civile")
DAY = 86400


class ApiError(Exception):
    """The server refused: its problem detail, or why it could not be reached."""


class Api:
    """A tiny client of the JSON API (stdlib only: the CLI needs no test extras)."""

    def __init__(self, server: str, token: str) -> None:
        self.server, self.token = server.rstrip("/"), token

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> bytes:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.server}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise ApiError(_problem_text(exc.code, exc.read())) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiError(f"cannot reach {self.server}: {reason}") from exc

    def json(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        return json.loads(self.call(method, path, payload))


def _problem_text(status: int, body: bytes) -> str:
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        detail = None
    return f"{status}: {detail or body[:200].decode(errors='replace')}"


def operator_api(args: argparse.Namespace) -> Api:
    token = os.environ.get("ATELIER_ADMIN_TOKEN", "")
    if not token:
        path = Path(args.token_file)
        if not path.exists():
            raise ApiError(
                f"no operator token: set ATELIER_ADMIN_TOKEN or give --token-file ({path} "
                "does not exist; `atelier serve` creates it on first start)"
            )
        token = path.read_text().strip()
    return Api(args.server, token)


# -- commands -------------------------------------------------------------------------------


def site_create(api: Api, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"title": args.title}
    if args.id:
        body["id"] = args.id
    if args.hours is not None:
        body["coaching_hours"] = args.hours
    return api.json("POST", "/api/sites", body)


def site_list(api: Api, args: argparse.Namespace) -> Any:
    return api.json("GET", "/api/sites")


def board_create(api: Api, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"title": args.title, "template": args.template}
    if args.id:
        body["id"] = args.id
    if args.site:
        body["site"] = args.site
    return api.json("POST", "/api/boards", body)


def board_list(api: Api, args: argparse.Namespace) -> Any:
    return {"boards": api.json("GET", f"/api/sites/{args.site}")["boards"]}


def invite_create(api: Api, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"role": args.role, "expires_in": args.days * DAY}
    if args.label:
        body["label"] = args.label
    if args.party:
        body["party"] = args.party
    return api.json("POST", _invites_path(args), body)


def invite_list(api: Api, args: argparse.Namespace) -> Any:
    if args.site:
        return {"invites": api.json("GET", f"/api/sites/{args.site}")["invites"]}
    return api.json("GET", _invites_path(args))


def _invites_path(args: argparse.Namespace) -> str:
    if args.board:
        return f"/api/boards/{args.board}/invites"
    if args.site:
        return f"/api/sites/{args.site}/invites"
    return "/api/programme/invites"


def invite_revoke(api: Api, args: argparse.Namespace) -> Any:
    return api.json("DELETE", f"/api/invites/{args.invite}")


def export_evidence(api: Api, args: argparse.Namespace) -> Any:
    return _save(api.call("GET", f"/api/sessions/{args.session}/evidence"), args.output)


def export_report(api: Api, args: argparse.Namespace) -> Any:
    query = f"format={args.format}&lang={args.lang}"
    return _save(api.call("GET", f"/api/sessions/{args.session}/export?{query}"), args.output)


def export_dossier(api: Api, args: argparse.Namespace) -> Any:
    query = f"format={args.format}&lang={args.lang}"
    return _save(api.call("GET", f"/api/sites/{args.site}/dossier?{query}"), args.output)


def _save(content: bytes, output: str) -> dict[str, Any]:
    Path(output).write_bytes(content)
    return {"file": output, "bytes": len(content)}


# -- output ---------------------------------------------------------------------------------


def human(result: Any) -> str:
    """One line per record: what a person scripting by hand wants to read or grep."""
    if not isinstance(result, dict):
        return str(result)
    for key in ("sites", "boards", "invites"):
        if key in result:
            return "\n".join(human(item) for item in result[key]) or f"(no {key})"
    if "file" in result:
        return f"wrote {result['file']} ({result['bytes']} bytes)"
    if "token" in result:  # a new invite: its link is shown once
        who = result["role"] + (f" ({result['party']})" if result.get("party") else "")
        return f"{result['id']}  {who}  {result['url']}"
    if "role" in result:
        state = "revoked" if result.get("revoked_at") else "valid"
        where = result.get("board") or result.get("site") or "programme"
        return f"{result['id']}  {result['role']}  {where}  {state}  {result.get('label') or ''}"
    return f"{result.get('id')}  {result.get('title', '')}"


def run(args: argparse.Namespace) -> int:
    """Run one operator command: 0 done, 1 refused by the server or not sent (why on stderr)."""
    try:
        api = operator_api(args)
        result = args.operation(api, args)
    except ApiError as exc:
        print(f"atelier: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else human(result))
    return 0


def add_commands(commands: Any) -> None:
    """``site``, ``board``, ``invite`` and ``export``, each with its actions."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--server",
        default=os.environ.get("ATELIER_URL", DEFAULT_SERVER),
        help=f"the server's address (default: $ATELIER_URL or {DEFAULT_SERVER})",
    )
    common.add_argument(
        "--token-file",
        default=DEFAULT_TOKEN_FILE,
        help=f"operator token file if $ATELIER_ADMIN_TOKEN is unset (default {DEFAULT_TOKEN_FILE})",
    )
    common.add_argument("--json", action="store_true", help="print the API's answer as JSON")

    def action(group: Any, name: str, operation: Any, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = group.add_parser(name, parents=[common], help=help_text)
        parser.set_defaults(handler=run, operation=operation)
        return parser

    sites = commands.add_parser("site", help="create or list sites").add_subparsers(required=True)
    made = action(sites, "create", site_create, "create a site")
    made.add_argument("title")
    made.add_argument("--id")
    made.add_argument("--hours", type=float, help="coaching hours (default 10)")
    action(sites, "list", site_list, "list sites")

    boards = commands.add_parser("board", help="create or list boards").add_subparsers(
        required=True
    )
    made = action(boards, "create", board_create, "create a board")
    made.add_argument("title")
    made.add_argument("--template", default="workshop")
    made.add_argument("--site")
    made.add_argument("--id")
    action(boards, "list", board_list, "list a site's boards").add_argument("--site", required=True)

    _invite_commands(commands, action)
    exports = commands.add_parser("export", help="save evidence, a report or a site dossier")
    kinds = exports.add_subparsers(required=True)
    made = action(kinds, "evidence", export_evidence, "the session's evidence bundle (zip)")
    made.add_argument("session")
    made.add_argument("-o", "--output", required=True)
    made = action(kinds, "report", export_report, "the session's report")
    made.add_argument("session")
    made.add_argument("-o", "--output", required=True)
    made.add_argument("--format", choices=("pdf", "html", "json"), default="pdf")
    made.add_argument("--lang", choices=("fr", "en"), default="fr")
    made = action(kinds, "dossier", export_dossier, "a site's dossier (zip: all its evidence)")
    made.add_argument("site")
    made.add_argument("-o", "--output", required=True)
    made.add_argument("--format", choices=("zip", "pdf", "html"), default="zip")
    made.add_argument("--lang", choices=("fr", "en"), default="fr")


def _invite_commands(commands: Any, action: Any) -> None:
    invites = commands.add_parser("invite", help="create, list or revoke invite links")
    actions = invites.add_subparsers(required=True)
    for name, operation, text in (
        ("create", invite_create, "create an invite and print its link"),
        ("list", invite_list, "list invites (no tokens)"),
    ):
        parser = action(actions, name, operation, text)
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--board", help="a board's invites")
        where.add_argument("--site", help="a site's invites (valid on all its boards)")
        if name == "create":
            parser.add_argument("--role", choices=ROLES, required=True)
            parser.add_argument("--party", choices=PARTIES)
            parser.add_argument("--label")
            parser.add_argument("--days", type=float, default=30.0, help="expiry (default 30)")
    action(actions, "revoke", invite_revoke, "revoke an invite").add_argument("invite")
