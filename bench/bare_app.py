"""The bare ceiling: a minimal Flask app, not the project's, for `make bench` (issue 19).

The in-app ceiling (`/bench/ceiling`, booking/benchroutes.py) runs through every hook of
the project's app (session, limiter, security headers...), so it carries the same fixed
cost as the measured pages and hides it. This app has no extension, no hook and no
database: one route answering a body of the requested size, served by the same gunicorn
settings. It is what Flask under gunicorn does at best on this machine, and every
measure's requests/s is reported as a ratio of it.

    gunicorn -w 2 bench.bare_app:app      # the runner starts it on a free port
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request

MAX_BYTES = 4 * 1024 * 1024

app = Flask(__name__)


@lru_cache(maxsize=16)
def body(size: int) -> bytes:
    """Exactly `size` bytes that look like a page (the same as the in-app ceiling's)."""
    head = b"<!doctype html><title>ceiling</title><p>"
    if size <= len(head):
        return b"x" * size
    return head + b"x" * (size - len(head))


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/")
def bare() -> Response:
    size = min(max(request.args.get("bytes", default=1024, type=int), 0), MAX_BYTES)
    return Response(body(size), mimetype="text/html")
