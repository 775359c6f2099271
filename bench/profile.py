"""Profile one page in-process with pyinstrument: where does a request's time go?

    DATABASE_URL=sqlite:///bench/out/bench_s1.db .venv/bin/python bench/profile.py \
        "/calendar/day?date=2026-09-29&site=visio" [requests]

Runs the app in its production configuration through Flask's test client (no network, no
gunicorn), prints the mean wall and CPU milliseconds per request, then the profile.
Options (environment): PROFILE_HEADERS ("Name: value" lines), PROFILE_LENGTH (characters
of profile to print), PROFILE_LOGIN ("email:password": log in through the form first),
PROFILE_POST (an urlencoded form: POST it to the path, with the CSRF token scraped from the
page; e.g. the conflicting booking request, which can be sent again and again),
PROFILE_TOOL=cprofile (cProfile instead of pyinstrument: function calls per request, a
figure a loaded machine does not change, the database round trips among them, and the top
entries by own and cumulative time; PROFILE_DUMP=file also writes the raw profile), PROFILE_POST_SLOTS (a first date, YYYY-MM-DD: with PROFILE_POST, every request asks for a
fresh free half-hour from that date on, walking days, rooms and slots as bench/runner.py's
bodies file does, so the *accepted* booking POST can be measured; the path's `resource`
argument and the form's date, start and end are replaced, and the session cookie is sent
unchanged each time, as wrk does, so flashed messages do not pile up in it), PROFILE_API=1
(with PROFILE_LOGIN and PROFILE_POST_SLOTS: the API booking POST as bench/runner.py sends it —
a personal access token made on the account page, `Authorization: Bearer`, no cookie, the
JSON body of `runner.api_booking` on fresh slots, HTTP 201 expected; PROFILE_IDEMPOTENCY=1 adds
a fresh `Idempotency-Key` to each request).

    PROFILE_API=1 PROFILE_LOGIN="bench@example.org:bench-password" PROFILE_POST_SLOTS=2027-01-04 \
    PROFILE_ROOMS="salle-visio-02 salle-visio-03" .venv/bin/python bench/profile.py /api/v1/bookings

    DATABASE_URL=sqlite:////tmp/s1.db PROFILE_LOGIN="bench@example.org:bench-password" \
    PROFILE_POST="title=x&purpose=&attendees=4&visibility=private&association=&repeat=none&submit=1" \
    PROFILE_POST_SLOTS=2027-01-04 .venv/bin/python bench/profile.py /reservations/new 50

Each run books its slots for good: start the next run from a later date (each weekday holds
105 slots) or on a fresh copy of the database.
"""

from __future__ import annotations

import importlib
import io
import os
import pstats
import re
import sys
import time
import uuid
from datetime import date
from itertools import count as counter
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-profile-only-secret")

from pyinstrument import Profiler

# The benchmark runner's own slot walk (bench/ is this script's directory, so on sys.path).
from runner import api_booking, free_slots
from sqlalchemy import event

from booking import create_app
from booking.extensions import db

TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


ROOMS = [f"salle-visio-{n:02d}" for n in range(1, 16)]


def _token(html: str) -> str:
    match = TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else ""


def _track_backends(app) -> set[int]:
    """PostgreSQL on this machine: the server processes of the app's connections, so that
    their CPU time is counted too (run with PGOPTIONS="-c max_parallel_workers_per_gather=0"
    to keep a query's whole work in its own server process)."""
    pids: set[int] = set()
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql" or engine.url.host not in ("127.0.0.1", "localhost"):
            return pids

        @event.listens_for(engine, "connect")
        def remember(connection, _record) -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
            # Leave the connection idle, as the pool hands it out (the app's autocommit
            # reads switch the connection's mode, refused inside a transaction).
            connection.rollback()

        engine.dispose()  # connections made from now on are remembered
    return pids


def _backend_cpu(pids: set[int]) -> float:
    """User + system CPU seconds used so far by these server processes."""
    ticks = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    path = argv[0]
    count = int(argv[1]) if len(argv) > 1 else 200
    headers = {}
    for line in os.environ.get("PROFILE_HEADERS", "").splitlines():
        name, _, value = line.partition(":")
        if name:
            headers[name.strip()] = value.strip()
    app = create_app()
    backends = _track_backends(app)
    client = app.test_client()
    if os.environ.get("PROFILE_LOGIN"):
        email, _, password = os.environ["PROFILE_LOGIN"].partition(":")
        page = client.get("/account/login").get_data(as_text=True)
        form = {"email": email, "password": password, "csrf_token": _token(page)}
        answer = client.post("/account/login", data=form)
        print(f"login: HTTP {answer.status_code}")
    form = None
    if os.environ.get("PROFILE_POST"):
        form = dict(parse_qsl(os.environ["PROFILE_POST"], keep_blank_values=True))
        form["csrf_token"] = _token(client.get(path).get_data(as_text=True))

    slots = None
    if os.environ.get("PROFILE_API") == "1":
        return _profile_api(app, client, path, count, backends)
    if form is not None and os.environ.get("PROFILE_POST_SLOTS"):
        rooms = os.environ.get("PROFILE_ROOMS", "").split() or ROOMS
        slots = free_slots(date.fromisoformat(os.environ["PROFILE_POST_SLOTS"]), rooms)
        cookie = client.get_cookie("session")
        headers["Cookie"] = f"session={cookie.value}" if cookie else ""
        client = app.test_client(use_cookies=False)
        numbers = counter(1)

    def call():
        if form is None:
            return client.get(path, headers=headers)
        if slots is not None:
            room, day, (start, end) = next(slots)
            fresh = {
                **form,
                "date": day.isoformat(),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "title": f"Profil {next(numbers)}",
            }
            url = path.partition("?")[0] + "?" + urlencode({"resource": room})
            answer = client.post(url, data=fresh, headers=headers)
            if answer.status_code not in (302, 303):
                raise SystemExit(f"{url} {fresh}: HTTP {answer.status_code}, slot not free?")
            return answer
        return client.post(path, data=form, headers=headers)

    return _measure(call, path, count, backends)


def _api_token(client) -> tuple[str, int]:
    """A personal access token of the logged-in account, made on its account page (as
    bench/runner.py does), and the id of its first association."""
    page = client.get("/account/tokens/").get_data(as_text=True)
    form = {"csrf_token": _token(page), "name": "profile", "scopes": ["read", "book"]}
    reply = client.post("/account/tokens/", data=form).get_data(as_text=True)
    match = re.search(r'id="new-token"[^>]*value="(so_[\w-]+)"', reply)
    if not match:
        raise SystemExit("token creation failed")
    secret = match.group(1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    return secret, me["associations"][0]["id"]


def _profile_api(app, client, path: str, count: int, backends: set[int]) -> int:
    """The API booking POST on fresh slots, with a bearer token and no cookie."""
    secret, association = _api_token(client)
    rooms = os.environ.get("PROFILE_ROOMS", "").split() or ROOMS
    slots = free_slots(date.fromisoformat(os.environ["PROFILE_POST_SLOTS"]), rooms)
    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    numbers = counter(1)
    idempotent = os.environ.get("PROFILE_IDEMPOTENCY") == "1"

    def call():
        room, day, slot = next(slots)
        target, _, body = api_booking(room, day, slot, association, next(numbers)).partition("\t")
        sent = {**headers, "Idempotency-Key": uuid.uuid4().hex} if idempotent else headers
        answer = client.post(path or target, data=body, headers=sent)
        if answer.status_code != 201:
            raise SystemExit(f"{target} {body}: HTTP {answer.status_code} {answer.data[:300]!r}")
        return answer

    return _measure(call, path, count, backends)


def _measure(call, path: str, count: int, backends: set[int]) -> int:
    """Mean wall and CPU ms of `count` calls after a warm-up, then the profile."""
    first = call()
    print(f"{path}: HTTP {first.status_code}, {len(first.data)} bytes")
    for _ in range(20):
        call()
    server = _backend_cpu(backends)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = _backend_cpu(backends) - server
    print(
        f"{count} requests: {wall / count * 1000:.2f} ms wall, {cpu / count * 1000:.2f} ms CPU each"
        + (f" (+ {server / count * 1000:.2f} ms CPU in the PostgreSQL server)" if backends else "")
    )
    if os.environ.get("PROFILE_TOOL") == "cprofile":
        print_cprofile(call, count)
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        call()
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False)
    print(text[: int(os.environ.get("PROFILE_LENGTH", "12000"))])
    return 0


# What a database round trip is, counted in the profile: the drivers' execute calls
# (statements, and SQLAlchemy's pre-ping, which bypasses the statement events).
ROUND_TRIPS = (("cursor.py", "execute"), ("sqlite3", "execute"))


def _cprofile():
    """The standard cProfile: it imports `profile`, which this file's name would shadow
    (its directory comes first on sys.path)."""
    here = sys.path.pop(0)
    sys.modules.pop("profile", None)
    try:
        return importlib.import_module("cProfile")
    finally:
        sys.path.insert(0, here)


def print_cprofile(call, count: int) -> None:
    """Deterministic figures: function calls and driver executes per request, then the top."""
    profiler = _cprofile().Profile()
    profiler.enable()
    for _ in range(count):
        call()
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])  # for pstats, snakeviz...
    stats = pstats.Stats(profiler)
    executes = 0
    for (filename, _line, name), (_cc, ncalls, *_rest) in stats.stats.items():
        if any(f in filename and n == name for f, n in ROUND_TRIPS) or (
            filename == "~" and "execute" in name and "sqlite3" in name
        ):
            executes += ncalls
    print(
        f"cProfile: {stats.total_calls / count:.0f} function calls a request, "
        f"{executes / count:.2f} driver executes (round trips) a request"
    )
    limit = int(os.environ.get("PROFILE_TOP", "25"))
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(limit)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        print(f"top {limit} by {key}:")
        print("\n".join(lines[start:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
