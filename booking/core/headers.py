"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response

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


def init_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.pop("X-Frame-Options-Skip", None) is None:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
