"""Logging: invite tokens never reach a log line."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

_TOKEN_QUERY = re.compile(r"(token=)[^&\s\"']+")
_JOIN_PATH = re.compile(r"(/join/)[^/?\s\"']+")


def mask_secrets(text: str) -> str:
    return _JOIN_PATH.sub(r"\1***", _TOKEN_QUERY.sub(r"\1***", text))


class MaskTokens(logging.Filter):
    """Rewrites a record's message with tokens masked (uvicorn logs the full request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_token_masking() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "atelier"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())


CONTEXT_FIELDS = ("board", "peer", "code")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the board and peer (invite id) when a record has them."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """Logging configuration for uvicorn and Atelier: ``text`` or ``json`` lines on stderr."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(levelname)s:     %(name)s %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers = {
        name: {"handlers": ["main"], "level": level.upper(), "propagate": False}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "atelier")
    }
    # The WebSocket library's "connection open" and "connection closed", one pair per board
    # connection (``sync.transport``): its warnings and errors only.
    loggers["atelier.ws.protocol"] = {"level": "WARNING"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": loggers,
    }
