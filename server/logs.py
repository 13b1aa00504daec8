"""Logging: invite tokens never reach a log line."""

from __future__ import annotations

import logging
import re

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
