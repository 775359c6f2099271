"""Security headers on every response; no-store on those made for a signed-in user."""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import Flask, Response, g
from werkzeug.datastructures import Headers

# Every asset is served by the app: scripts only from our origin, no inline script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# The one page other sites may frame: the availability widget (booking/widget/).
EMBEDDABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")


def embeddable(response: Response) -> Response:
    """Let any site show this response in a frame (the widget only)."""
    response.headers["Content-Security-Policy"] = EMBEDDABLE_POLICY
    response.headers["X-Frame-Options-Skip"] = "1"  # read and dropped below
    return response


def add_missing(headers: Headers, items: Iterable[tuple[str, str]]) -> None:
    """`headers.setdefault(name, value)` for each item, in order, reading the headers
    already there once instead of once per item (every answer pays this, issue 19)."""
    present = {name.lower() for name, _ in headers}
    for name, value in items:
        key = name.lower()
        if key not in present:
            headers.add(name, value)
            present.add(key)


_ALWAYS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))
_NO_FRAMES = (*_ALWAYS, ("X-Frame-Options", "DENY"))


def init_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        framed = "X-Frame-Options-Skip" in headers
        if framed:
            del headers["X-Frame-Options-Skip"]
        items = list(_ALWAYS if framed else _NO_FRAMES)
        if response.mimetype == "text/html":
            items.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        hsts = int(app.config.get("HSTS_MAX_AGE") or 0)
        if hsts > 0:
            items.append(("Strict-Transport-Security", f"max-age={hsts}"))
        add_missing(headers, items)
        # Set only when this request read the signed-in user. (`is_anonymous`, not
        # `is_authenticated`: that reads the user's row again after the commit.)
        user = g.get("_login_user")
        if user is not None and not user.is_anonymous and "Cache-Control" not in response.headers:
            # Built for this user: no shared cache, no back-button copy after logout.
            # (A view that chose its own caching, such as `private` for an .ics, keeps it.)
            response.headers["Cache-Control"] = "no-store"
        return response


# Answers that tell the client when to come back (RFC 9110 §10.2.3).
RETRY_AFTER_STATUSES = frozenset({429, 503})


def init_ratelimit_headers(app: Flask) -> None:
    """Make Flask-Limiter's headers follow the IETF RateLimit draft and RFC 9110.

    The library sends `Retry-After` on every limited answer and `RateLimit-Reset` as a Unix
    time, with no setting to change either. Register this BEFORE `limiter.init_app`: Flask
    runs after_request functions in reverse order, so this one then sees the library's headers.
    """
    reset_header = app.config.get("RATELIMIT_HEADER_RESET", "RateLimit-Reset")

    @app.after_request
    def _ratelimit_headers(response: Response) -> Response:
        if response.status_code not in RETRY_AFTER_STATUSES:
            response.headers.pop("Retry-After", None)
        reset_at = response.headers.get(reset_header)
        if reset_at is not None and reset_at.isdigit():
            # Delta seconds until the window resets, never negative.
            response.headers[reset_header] = str(max(0, int(reset_at) - int(time.time())))
        return response
