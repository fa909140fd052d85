"""Access logs without credentials: an invitation's token is in its path, so paths are redacted
before any log line is written."""

from __future__ import annotations

import logging
import re

_TOKEN_PATH = re.compile(r"/i/[^\s/?\"]+")
REDACTED = "/i/[token]"


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments so no invitation token reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info and not record.exc_text:
            # A traceback can quote a path or a message holding a token: format it here, redacted
            # (handlers reuse ``exc_text`` rather than format it again).
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install() -> None:
    """Attach the filter to uvicorn's loggers and the relay's own (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "dashboard.relay"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
