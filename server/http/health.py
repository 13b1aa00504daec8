"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from server.core.errors import CloseCode
from server.core.metrics import counters
from server.http.services import Services
from server.store.db import ping

READY_MAX_WRITER_LAG_SECONDS = 5.0


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _database_reachable(svc: Services) -> bool:
    try:
        ping(svc.engine)
    except Exception:
        return False
    return True


async def readyz(request: Request) -> Response:
    svc: Services = request.app.state.services
    writer = svc.writer
    checks = {
        "database": await asyncio.to_thread(_database_reachable, svc),
        "writer_healthy": writer.healthy,
        "writer_lag_seconds": round(writer.lag_seconds(), 3),
        "writer_backlog": writer.backlog,
    }
    fanout = svc.fanout
    if fanout.distributed:
        checks["redis_connected"] = fanout.connected
    ready = bool(checks["database"]) and writer.healthy and fanout.connected
    ready = ready and writer.lag_seconds() < READY_MAX_WRITER_LAG_SECONDS
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if not ready and writer.last_error:
        body["error"] = writer.last_error
    return JSONResponse(body, status_code=200 if ready else 503)


def _line(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {value:g}" for labels, value in samples]
    return lines


Figure = tuple[str, str, str, list[tuple[str, float]]]
"""(name, type, help, [(labels, value)]) of one Prometheus metric."""


def _one(name: str, kind: str, help_text: str, value: float) -> Figure:
    return (name, kind, help_text, [("", value)])


def _live_figures(svc: Services) -> list[Figure]:
    rooms, c = svc.rooms, counters
    closes = [
        (f'{{code="{code}",reason="{_reason(code)}"}}', float(n))
        for code, n in sorted(c.closes.items())
    ]
    return [
        _one("atelier_rooms", "gauge", "Boards loaded in memory.", len(rooms)),
        _one("atelier_connections", "gauge", "Open board connections.", rooms.connections()),
        _one("atelier_room_loads_total", "counter", "Boards loaded from storage.", rooms.loads),
        _one(
            "atelier_room_load_seconds_total",
            "counter",
            "Time spent loading boards from storage.",
            rooms.load_seconds,
        ),
        _one("atelier_frames_in_total", "counter", "WebSocket messages received.", c.frames_in),
        _one("atelier_bytes_in_total", "counter", "WebSocket bytes received.", c.bytes_in),
        _one("atelier_updates_in_total", "counter", "Client updates accepted.", c.updates_in),
        _one("atelier_frames_out_total", "counter", "WebSocket messages queued.", c.frames_out),
        _one("atelier_bytes_out_total", "counter", "WebSocket bytes queued.", c.bytes_out),
        _one(
            "atelier_refused_writes_total",
            "counter",
            "Writes refused (role, lock).",
            c.refused_writes,
        ),
        ("atelier_closes_total", "counter", "Connections closed by the server.", closes),
    ]


def _storage_figures(svc: Services) -> list[Figure]:
    writer = svc.writer
    return [
        _one("atelier_updates_persisted_total", "counter", "Updates committed.", writer.committed),
        _one("atelier_persist_batches_total", "counter", "Log commits.", writer.batches),
        _one(
            "atelier_persist_largest_batch",
            "gauge",
            "Largest commit so far.",
            writer.largest_batch,
        ),
        _one(
            "atelier_persist_failures_total",
            "counter",
            "Failed commit attempts.",
            writer.failures,
        ),
        _one(
            "atelier_persist_backlog",
            "gauge",
            "Updates waiting for the database.",
            writer.backlog,
        ),
        _one(
            "atelier_persist_lag_seconds",
            "gauge",
            "Age of the oldest waiting update.",
            writer.lag_seconds(),
        ),
        _one(
            "atelier_persist_healthy",
            "gauge",
            "1 when the last commit succeeded.",
            int(writer.healthy),
        ),
        _one(
            "atelier_fanout_connected",
            "gauge",
            "1 when the fan-out broker is reachable.",
            int(svc.fanout.connected),
        ),
    ]


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of the live figures."""
    svc: Services = request.app.state.services
    lines: list[str] = []
    for name, kind, help_text, samples in [*_live_figures(svc), *_storage_figures(svc)]:
        lines += _line(name, kind, help_text, samples)
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


def _reason(code: int) -> str:
    try:
        return CloseCode(code).name.lower()
    except ValueError:
        return "other"


def routes() -> list[BaseRoute]:
    return [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
