"""Keep private-feed tokens out of the logs.

The request log lines (werkzeug's development server, gunicorn's access log)
print the path, and a private feed's path holds its secret token. This filter
masks it in every record of those loggers before any handler sees it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping

TOKEN_IN_PATH = re.compile(r"(/feeds/private/)[^/\s?\"'.]+")
MASK = r"\1[token]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "booking.core.errors")


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(MASK, text)


def _mask(value: object) -> object:
    return mask_tokens(value) if isinstance(value, str) else value


class FeedTokenFilter(logging.Filter):
    """Rewrites `/feeds/private/<token>` as `/feeds/private/[token]` in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, MutableMapping):
            # In place: gunicorn's atoms are a dict subclass with its own lookups.
            for key, value in list(record.args.items()):
                if isinstance(value, str):
                    record.args[key] = mask_tokens(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask(value) for value in record.args)
        return True


def install_token_filter() -> None:
    """Add the filter to the request loggers (once, however many apps are created)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, FeedTokenFilter) for f in logger.filters):
            logger.addFilter(FeedTokenFilter())
