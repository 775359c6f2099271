"""HTTP conventions shared by the API's endpoints: JSON answers, ETags, CORS, paging links."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import current_app, has_request_context, request, url_for
from webargs.flaskparser import FlaskParser
from werkzeug.wrappers import Response

from booking.core.headers import add_missing
from booking.lru import LRUCache

FORMAT_VERSION = "1"  # change when the JSON changes shape for the same data
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept-Language, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Link, RateLimit-Limit, RateLimit-Remaining, "
    "RateLimit-Reset, Retry-After",
    "Access-Control-Max-Age": "86400",
}
CORS_ITEMS = tuple(CORS_HEADERS.items())
QUERY_MEMO_ENTRIES = 512  # parsed query strings kept per parser (the polled ones)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute address on BASE_URL, the service's public address: never on the
    request's Host header (an internal name behind a proxy, or a forged one)."""
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return current_app.config["BASE_URL"].rstrip("/") + path


def json_response(data: Any, status: int = 200, etag: str | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if etag is not None:
        response.set_etag(etag)
    return response


def etag_of(*parts: Any) -> str:
    """A validator for an answer fully determined by `parts` (versions, window, host)."""
    text = repr((FORMAT_VERSION, current_app.config["BASE_URL"], *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def not_modified(etag: str) -> Response | None:
    """A 304 when the client's copy is current, else None."""
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    return None


def add_cors(response: Response) -> Response:
    add_missing(response.headers, CORS_ITEMS)
    return response


def page_links(page: int, per_page: int, total: int) -> str:
    """RFC 8288 `Link` header: first, prev, next, last of a paginated list."""
    last = max(1, -(-total // per_page))
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    links = []

    base = current_app.config["BASE_URL"].rstrip("/") + request.path  # not the Host header

    def url(number: int) -> str:
        return f"{base}?{urlencode({**args, 'page': number, 'per_page': per_page})}"

    links.append(f'<{url(1)}>; rel="first"')
    if page > 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
    links.append(f'<{url(last)}>; rel="last"')
    return ", ".join(links)


# Values a parsed query may hold and share between requests: none can be changed in place.
_IMMUTABLE = (type(None), bool, int, float, str, date, datetime)


class SchemaReusingParser(FlaskParser):
    """webargs' parser, making each query schema once instead of at every request.

    `@bp.arguments(SomeSchema)` hands webargs the schema class, which it instantiates for
    each request (field copies and all: a twentieth of an availability 304, issue 19). The
    query schemas keep no state between loads, so one instance per class serves them all.
    They are also plain functions of the query string (no default read from the clock or
    the request), so the arguments of a query string already seen, the polled one, are
    taken from a bounded memo instead of being loaded and validated again (a tenth of the
    API's 304 with its hooks cut). Only successful loads of scalar values are kept: a bad
    query is refused, with the same problem, each time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, ma.Schema] = {}
        self._parsed = LRUCache(QUERY_MEMO_ENTRIES)

    def parse(self, argmap: Any, req: Any = None, **kwargs: Any) -> Any:
        if (
            kwargs.get("location") != "query"
            or kwargs.get("validate") is not None
            or kwargs.get("error_headers") is not None
            or not (isinstance(argmap, type) and issubclass(argmap, ma.Schema))
        ):
            return super().parse(argmap, req, **kwargs)
        req = req if req is not None else self.get_default_request()
        key = (
            argmap,
            kwargs.get("unknown", "default"),
            kwargs.get("error_status_code"),
            req.query_string,
        )
        found = self._parsed.get(key)
        if found is None:
            found = super().parse(argmap, req, **kwargs)
            if not (
                isinstance(found, dict) and all(isinstance(v, _IMMUTABLE) for v in found.values())
            ):
                return found
            self._parsed.put(key, found)
        return dict(found)  # the view may change its own copy

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)
