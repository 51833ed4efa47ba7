"""Secrets never reach the logs: private-feed tokens in URLs and bearer tokens are masked.

The filter sits on the loggers that write request lines (Werkzeug's development server,
gunicorn's access log) and on the app's own logger, whose error reports may quote a URL.
"""
from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"(/private/)[^/\s\"'?]+(\.ics)"), r"\1***\2"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9_\-\.~+/=]+", re.I), r"\1***"),
    (re.compile(r"\bcal_[A-Za-z0-9_\-]{20,}"), "cal_***"),
)
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "calendar_app")


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_FILTER = SecretMaskingFilter()


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
