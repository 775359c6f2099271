"""`EXPLAIN (ANALYZE, BUFFERS)` of the heaviest query of each benchmark page (PostgreSQL).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_s100 \
        .venv/bin/python bench/explain.py [page ...]

Serves each page once in-process (production configuration, a fresh app: no cached grid,
feed or figure), records every SELECT it sends with its parameters, runs each again under
`EXPLAIN (ANALYZE, BUFFERS)` (twice: the second, warm, is kept) and prints the plan of the
slowest, with the page's statement count and the sum of their execution times. Pages: day,
week, month, feed, 304, find, post (books one free half-hour on the bench account: run it
on a benchmark database only), stats. The database must hold the workload (`bench-data`)
and, for stats, the runner's administrator (`flask create-admin bench-stats@example.org`).
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "explain-only-secret-key-explain-only-secret")
os.environ.setdefault("PERIODIC_JOBS_ENABLED", "0")

from runner import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    PATHS,
    ROOM,
    STATS_EMAIL,
    STATS_PASSWORD,
    booking_form,
    free_slots,
)
from sqlalchemy import event

from booking import create_app
from booking.extensions import db

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
PAGES = ("day", "week", "month", "feed", "304", "find", "post", "stats")


def _token(html: str) -> str:
    match = TOKEN.search(html)
    if not match:
        raise SystemExit("no csrf_token in the page")
    return match.group(1) or match.group(2)


def _client(app, email: str | None = None, password: str | None = None):
    client = app.test_client()
    if email:
        page = client.get("/account/login").get_data(as_text=True)
        form = {"email": email, "password": password, "csrf_token": _token(page)}
        if client.post("/account/login", data=form).status_code not in (302, 303):
            raise SystemExit(f"login as {email} failed")
    return client


def _request(app, page: str):
    """Serve `page` once; returns (status, [(statement, parameters)], wall ms of the request)."""
    recorded: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            recorded.append((statement, parameters))

    if page == "stats":
        client = _client(app, STATS_EMAIL, STATS_PASSWORD)
    elif page == "post":
        client = _client(app, BENCH_EMAIL, BENCH_PASSWORD)
    else:
        client = _client(app)
    headers = {}
    if page == "304":
        headers["If-None-Match"] = client.get(PATHS["feed"]).headers["ETag"]
    # Only the measured request is recorded, on a fresh app (cold caches).
    event.listen(db.engine, "before_cursor_execute", record)
    started = time.perf_counter()
    try:
        if page == "post":
            form_page = client.get(PATHS["post_form"] + f"?resource={ROOM}")
            recorded.clear()
            token = _token(form_page.get_data(as_text=True))
            for room, day, slot in free_slots(date.today() + timedelta(days=30), [ROOM]):
                line = booking_form(room, day, slot, token, 0)
                path, _, body = line.partition("\t")
                answer = client.post(
                    path, data=body, content_type="application/x-www-form-urlencoded"
                )
                if answer.status_code != 422:  # a slot taken by an earlier run: the next
                    break
                recorded.clear()
        else:
            path = PATHS["feed"] if page == "304" else PATHS[page]
            answer = client.get(path, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return answer.status_code, recorded, (time.perf_counter() - started) * 1000


def _explain(statement: str, parameters) -> tuple[float, str]:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        plan = ""
        for _ in range(2):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()  # SELECT ... FOR UPDATE took row locks
    finally:
        raw.close()
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return (float(took.group(1)) if took else 0.0), plan


def _inline(statement: str, parameters) -> str:
    """The statement with its parameters written in, for reading (not for running)."""
    if isinstance(parameters, dict):
        for key, value in parameters.items():
            statement = statement.replace(f"%({key})s", repr(value))
    return statement


def main(argv: list[str]) -> int:
    pages = argv or list(PAGES)
    for page in pages:
        app = create_app()
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                raise SystemExit("bench/explain.py needs a PostgreSQL DATABASE_URL")
            status, statements, wall = _request(app, page)
            plans = [(*_explain(s, p), s, p) for s, p in statements]
        total = sum(p[0] for p in plans)
        print(
            f"=== {page}: HTTP {status} in {wall:.0f} ms (cold, in-process), {len(plans)} SELECTs, "
            f"{total:.2f} ms executing them under EXPLAIN ANALYZE"
        )
        if plans:
            took, plan, statement, parameters = max(plans, key=lambda p: p[0])
            print(f"--- heaviest ({took:.2f} ms):\n{_inline(statement, parameters)}\n")
            print(plan)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
