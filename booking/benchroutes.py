"""The benchmark's ceiling: a bare route in the same app, under the same server settings.

Registered only when the `BENCH_ROUTES` setting is true (environment `BENCH_ROUTES=1`),
so a real deployment never exposes it. It answers a fixed body of the requested
size, which tells how fast the stack (gunicorn, Flask, its hooks) can go at best:
each page's requests/s is reported as a ratio of this.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, request

bp = Blueprint("bench", __name__, url_prefix="/bench")

MAX_BYTES = 4 * 1024 * 1024


@lru_cache(maxsize=16)
def _body(size: int) -> bytes:
    # Looks like a page: a short HTML head and filler, exactly `size` bytes.
    head = b"<!doctype html><title>ceiling</title><p>"
    if size <= len(head):
        return b"x" * size
    return head + b"x" * (size - len(head))


@bp.get("/ceiling")
def ceiling() -> Response:
    size = request.args.get("bytes", default=1024, type=int)
    size = min(max(size, 0), MAX_BYTES)
    return Response(_body(size), mimetype="text/html")
