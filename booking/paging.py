"""Pagination shared by every list that grows: the page size setting and the page asked for.

`PAGE_SIZE` (environment variable, default 25) sets how many rows a page of any
list shows: the manager's queue, the administration lists, my bookings, the
messages of a booking, the bookings a closure hits. Pages render with the
`pager` macro of `templates/_macros/pagination.html`.
"""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from booking.extensions import db

MAX_PAGE = 100_000


def page_size() -> int:
    return max(int(current_app.config.get("PAGE_SIZE", 25)), 1)


def paginate(stmt: Select, page: int | None, *, from_end: bool = False) -> Pagination:
    """One page of `stmt`, PAGE_SIZE rows. No page asked for: the first page, or the
    last one with `from_end` (a conversation opens on its latest messages)."""
    per_page = page_size()
    if page is None and from_end:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        page = max((int(total or 0) + per_page - 1) // per_page, 1)
    return db.paginate(stmt, page=page or 1, per_page=per_page, error_out=False, count=True)


def requested_page(name: str = "page") -> int | None:
    """The page number in the query string, or None when absent or not a number."""
    value = request.args.get(name, "")
    if not value.isdigit():
        return None
    return min(max(int(value), 1), MAX_PAGE)
