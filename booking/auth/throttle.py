"""Failed logins and reset emails counted per account, per address and per recipient.

The counts live in the rate limiter's storage (Flask-Limiter's `limits`
storage: Redis in production), so every worker and every restart sees the
same numbers. Emails are counted by a digest, never in clear.

Failed logins per account meet growing waits (ASVS 2.2.1 allows at most 100
failures an hour): 5 a minute, then 15 in a quarter of an hour, then 50 in an
hour. The owner is never locked out for longer than that hour, and a password
reset (the link works at once) clears the account's count.
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from booking.extensions import limiter

log = logging.getLogger(__name__)

ACCOUNT_FAILURES = parse_many("5 per minute; 15 per 15 minutes; 50 per hour")
ADDRESS_FAILURES = parse_many("30 per 15 minutes; 100 per hour")
RESET_EMAILS_PER_RECIPIENT = parse_many("3 per hour; 6 per day")


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _wait(items: list[RateLimitItem], *identifiers: str) -> int:
    """Seconds until every exhausted limit lets one more through (0: not exhausted)."""
    strategy = limiter.limiter
    now = time.time()
    wait = 0.0
    for item in items:
        if not strategy.test(item, *identifiers):
            reset_at, _remaining = strategy.get_window_stats(item, *identifiers)
            wait = max(wait, reset_at - now, 1)
    return int(wait + 0.999)


def seconds_before_next_login(email: str, address: str | None) -> int:
    """0 when a login may be tried; else how long this account or address must wait."""
    if not _enabled():
        return 0
    try:
        return max(
            _wait(ACCOUNT_FAILURES, "login-account", _digest(email)),
            _wait(ADDRESS_FAILURES, "login-address", address or "-"),
        )
    except Exception:  # the storage is unreachable: log in without the throttle, loudly
        log.exception("Login throttle storage unreachable")
        return 0


def record_failed_login(email: str, address: str | None) -> None:
    if not _enabled():
        return
    strategy = limiter.limiter
    try:
        for item in ACCOUNT_FAILURES:
            strategy.hit(item, "login-account", _digest(email))
        for item in ADDRESS_FAILURES:
            strategy.hit(item, "login-address", address or "-")
    except Exception:
        log.exception("Login throttle storage unreachable")


def clear_failed_logins(email: str) -> None:
    """The owner proved they hold the address (a password reset): the account may log in."""
    if not _enabled():
        return
    strategy = limiter.limiter
    try:
        for item in ACCOUNT_FAILURES:
            strategy.clear(item, "login-account", _digest(email))
    except Exception:
        log.exception("Login throttle storage unreachable")


def may_send_reset_email(email: str) -> bool:
    """Counts one reset email to this recipient; False once the mailbox had enough."""
    if not _enabled():
        return True
    strategy = limiter.limiter
    try:
        allowed = all(
            strategy.test(item, "reset-recipient", _digest(email))
            for item in RESET_EMAILS_PER_RECIPIENT
        )
        if allowed:
            for item in RESET_EMAILS_PER_RECIPIENT:
                strategy.hit(item, "reset-recipient", _digest(email))
        return allowed
    except Exception:
        log.exception("Reset email throttle storage unreachable")
        return True
