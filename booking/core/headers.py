"""Security headers on every response; no-store on those made for a signed-in user."""

from __future__ import annotations

from flask import Flask, Response, g

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


def init_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        hsts = int(app.config.get("HSTS_MAX_AGE") or 0)
        if hsts > 0:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
        # Set only when this request read the signed-in user. (`is_anonymous`, not
        # `is_authenticated`: that reads the user's row again after the commit.)
        user = g.get("_login_user")
        if user is not None and not user.is_anonymous and "Cache-Control" not in response.headers:
            # Built for this user: no shared cache, no back-button copy after logout.
            # (A view that chose its own caching, such as `private` for an .ics, keeps it.)
            response.headers["Cache-Control"] = "no-store"
        return response
