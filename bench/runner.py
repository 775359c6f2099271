"""`make bench`: build the standard workload, serve it with gunicorn, drive it with wrk.

Every request goes to 127.0.0.1 only. Settings (environment):

    BENCH_DB           sqlite (default) or postgresql
    BENCH_PG_URL       server for BENCH_DB=postgresql (default postgresql+psycopg://postgres@127.0.0.1:5432)
    BENCH_PG_PREFIX    name of the PostgreSQL databases: <prefix>_s<scale> (default bench), so
                       that two people running the benchmark on one server do not drop each other's
                       (BENCH_PG_NAME: the same, an older name)
    BENCH_SCALE        "1" (default), "10", "100", or "1 10" for both tables
    BENCH_SECONDS      seconds per measure (default 10)
    BENCH_RUNS         runs per measure; the table shows the median (default 1)
    BENCH_CONNECTIONS  connection counts (default "1 8")
    BENCH_ONLY         measure names to run (default: all), e.g. "day ceiling"
    BENCH_WORKERS      gunicorn workers (default 2, like the 2-core reference machine)
    BENCH_PG_DB        PostgreSQL database name (overrides BENCH_PG_PREFIX): a name of your own
                       when several people bench on one server (the runner drops it first)
    BENCH_PORT         gunicorn's port (default: any free one; the uncached statistics
                       server takes the next one)
    BENCH_PG_PREFIX    PostgreSQL database name prefix (default "bench": bench_s1, bench_s10),
                       so that people sharing a server do not drop each other's database

Measure "stats_cold" is the statistics page served by a second gunicorn started with
STATS_CACHE_ENTRIES=0: every request computes the year's figures from the database (from
the statistics rollup, which the runner sums once with `flask refresh-stats` and logs),
which the cached measure "stats" hides.
It runs for at least BENCH_COLD_SECONDS (default 20) so that a few requests complete.

Two ceilings (issue 19): "bare", a minimal Flask app that is not the project's
(bench/bare_app.py) under the same gunicorn settings, answering as many bytes as the day
grid; and "ceiling", the in-app route /bench/ceiling, which goes through every hook of the
project's app. Every measure is reported as a ratio of both.

The booking POST logs in as the workload's bench account through the real login form and
scrapes the CSRF token from the reservation form: CSRF stays on, as in production.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = ROOT / ".venv" / "bin"
LUA = ROOT / "bench" / "wrk.lua"

BENCH_EMAIL = "bench@example.org"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - the workload's documented bench account
# The statistics measure needs an administrator (every room): made with `flask create-admin`.
STATS_EMAIL = "bench-stats@example.org"
STATS_PASSWORD = "bench-stats-password"  # noqa: S105 - a throwaway bench account

REFERENCE_DAY = date(2026, 9, 29)
FIND_DAY = date(2027, 9, 28)  # a Tuesday too, in the future
ROOM = "salle-visio-01"
# Issue 19: the accepted POST measured approved on arrival too. The runner turns approval off
# for these two rooms (the workload's rooms all ask for it); the pending POST books the others.
OPEN_ROOMS = ["salle-visio-14", "salle-visio-15"]
PENDING_ROOMS = [ROOM, *(f"salle-visio-{n:02d}" for n in range(2, 14))]
PARIS = ZoneInfo("Europe/Paris")
SITE = "visio"

# The pages measured (issue 7), as the other areas publish them.
PATHS = {
    "day": f"/calendar/day?date={REFERENCE_DAY.isoformat()}&site={SITE}",
    "week": f"/calendar/resources/{ROOM}/week?date={REFERENCE_DAY.isoformat()}",
    "month": f"/calendar/resources/{ROOM}/month?month=2026-09",
    "feed": f"/feeds/resources/{ROOM}.ics",
    # Issue 19: the other polled answers, measured as 304s like the room feed.
    "site_feed": f"/feeds/sites/{SITE}.ics",
    "public_feed": "/feeds/public.ics",
    "door": f"/rooms/{ROOM}/door",
    # The search refuses past times: the same weekday a year on (the same pattern of bookings).
    "find": "/find?"
    + urlencode(
        {
            "date": FIND_DAY.isoformat(),
            "start": "11:00",
            "end": "12:00",
            "attendees": "4",
            "equipment": "kit-visio",
        }
    ),
    "post_form": "/reservations/new",
    # The JSON API (issue 15): the same availability as the grids, and its booking POST.
    "api_week": f"/api/v1/resources/{ROOM}/availability?date={REFERENCE_DAY.isoformat()}&days=7",
    "api_day": f"/api/v1/availability?date={REFERENCE_DAY.isoformat()}",
    "api_post": "/api/v1/bookings",
    # Issue 14: a year of the workload's statistics over every room (figures, charts, tables).
    "stats": "/stats/?period=year&year=2026",
}
# Free half-hours of every bench room on every weekday (the workload never books them).
FREE_SLOTS = [
    (dtime(8, 0), dtime(8, 30)),
    (dtime(8, 30), dtime(9, 0)),
    (dtime(10, 0), dtime(10, 30)),
    (dtime(12, 0), dtime(12, 30)),
    (dtime(13, 30), dtime(14, 0)),
    (dtime(19, 0), dtime(19, 30)),
    (dtime(19, 30), dtime(20, 0)),
]
# A slot the workload holds (approved) in the future: the conflicting POST asks for it.
CONFLICT_DAY = date(2027, 3, 2)
CONFLICT_SLOT = (dtime(9, 0), dtime(10, 0))


def env_list(name: str, default: str) -> list[str]:
    return (os.environ.get(name) or default).split()


SECONDS = int(os.environ.get("BENCH_SECONDS") or 10)
RUNS = int(os.environ.get("BENCH_RUNS") or 1)
CONNECTIONS = [int(c) for c in env_list("BENCH_CONNECTIONS", "1 8")]
WORKERS = int(os.environ.get("BENCH_WORKERS") or 2)
DB_KIND = os.environ.get("BENCH_DB", "sqlite")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
ONLY = set(env_list("BENCH_ONLY", ""))
COLD_SECONDS = int(os.environ.get("BENCH_COLD_SECONDS") or 20)
PORT = int(os.environ.get("BENCH_PORT") or 0)
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX") or os.environ.get("BENCH_PG_NAME") or "bench"
# "100:s100 10:keep_s10": PostgreSQL databases that already hold a scale's workload (built by an
# earlier run or `flask bench-data`): the run copies one (CREATE DATABASE … TEMPLATE) instead of
# building the workload again, e.g. to measure scale 100 without its ten-minute build.
PG_TEMPLATES = dict(item.split(":", 1) for item in env_list("BENCH_PG_TEMPLATES", ""))


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# ---------------------------------------------------------------- database and server
def fresh_database(scale: int) -> str:
    """A new empty database for this scale (a copy of its template, if any); returns its URL."""
    if DB_KIND == "sqlite":
        path = OUT / f"bench_s{scale}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if DB_KIND != "postgresql":
        raise SystemExit(f"BENCH_DB must be sqlite or postgresql, not {DB_KIND!r}")
    name = os.environ.get("BENCH_PG_DB") or f"{PG_PREFIX}_s{scale}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", name):
        raise SystemExit(
            f"BENCH_PG_DB/BENCH_PG_PREFIX must give a plain lower-case name, not {name!r}"
        )
    template = PG_TEMPLATES.get(str(scale))
    if template is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", template):
        raise SystemExit(f"BENCH_PG_TEMPLATES must name plain databases, not {template!r}")
    create = f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    for statement in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", create):
        subprocess.run(["psql", admin, "-q", "-c", statement], check=True)
    return f"{PG_URL}/{name}"


def flask(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def open_rooms(env: dict[str, str]) -> None:
    """No approval for OPEN_ROOMS: a request there is approved on arrival (measure 7c)."""
    script = (
        "from sqlalchemy import update\n"
        "from booking import create_app\n"
        "from booking.extensions import db\n"
        "from booking.resources.models import Resource\n"
        "with create_app().app_context():\n"
        f"    db.session.execute(update(Resource).where(Resource.slug.in_({OPEN_ROOMS!r}))"
        ".values(requires_approval=False))\n"
        "    db.session.commit()\n"
    )
    subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    if PORT:
        return PORT
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.children():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the workers (robust to a busy machine)."""
        ticks = 0
        for pid in self.children():
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists():
                fields = stat.read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(env: dict[str, str], app: str = "wsgi:app", port_offset: int = 0) -> Server:
    """gunicorn serving `app` (the project's, or bench/bare_app.py's) on a free port
    (BENCH_PORT + `port_offset` when BENCH_PORT is set)."""
    port = free_port() + port_offset if PORT else free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    server = Server(process, port)
    for _ in range(100):  # bounded: 20 s
        time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            if get(server, "/healthz").status == 200:
                return server
        except OSError:
            continue
    server.stop()
    raise SystemExit("gunicorn did not answer within 20 s")


# ---------------------------------------------------------------- plain HTTP probes
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)


def request(
    server: Server,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, data, cookies
        )
    finally:
        conn.close()


def get(server: Server, path: str, headers: dict[str, str] | None = None) -> Reply:
    return request(server, "GET", path, headers=headers)


CSRF_RE = re.compile(
    rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(body: bytes) -> str:
    match = CSRF_RE.search(body)
    if not match:
        raise SystemExit("no csrf_token field found in the form")
    return (match.group(1) or match.group(2)).decode()


def log_in(server: Server, email: str = BENCH_EMAIL, password: str = BENCH_PASSWORD) -> str:
    """Log in through the login form (the bench account by default); returns the Cookie header."""
    page = get(server, "/account/login")
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    reply = request(
        server,
        "POST",
        "/account/login",
        body=urlencode({"email": email, "password": password, "csrf_token": csrf_token(page.body)}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    if reply.status not in (302, 303) or "session" not in reply.cookies:
        raise SystemExit(f"bench login failed: HTTP {reply.status}")
    return f"session={reply.cookies['session']}"


# ---------------------------------------------------------------- booking POST bodies
def free_slots(start: date, rooms: list[str]):
    """Free slots in the future, day by day, room by room; each is used once."""
    day = start
    for _ in range(800):  # bounded: the rooms' horizon is 730 days
        if day.weekday() < 5:
            for room in rooms:
                for slot in FREE_SLOTS:
                    yield room, day, slot
        day += timedelta(days=1)


def booking_form(room: str, day: date, slot: tuple[dtime, dtime], token: str, n: int) -> str:
    """One line of a bodies file: the form's URL, a tab, the urlencoded form."""
    path = PATHS["post_form"] + "?" + urlencode({"resource": room})
    return (
        path
        + "\t"
        + urlencode(
            {
                "csrf_token": token,
                "resource": room,
                "date": day.isoformat(),
                "start": slot[0].strftime("%H:%M"),
                "end": slot[1].strftime("%H:%M"),
                "title": f"Banc d'essai {n}",
                "purpose": "",
                "attendees": "4",
                "visibility": "private",
                "association": "",  # the bench account belongs to one association: chosen for it
                "repeat": "none",
                "submit": "1",
            }
        )
    )


def api_token(server: Server, cookie: str) -> tuple[str, int]:
    """A personal access token of the bench account (made on its account page), and
    the id of its association: what the API POST measure books with."""
    page = get(server, "/account/tokens/", {"Cookie": cookie})
    if page.status != 200:
        raise SystemExit(f"token page: HTTP {page.status}")
    reply = request(
        server,
        "POST",
        "/account/tokens/",
        body=urlencode(
            {"csrf_token": csrf_token(page.body), "name": "bench", "scopes": ["read", "book"]},
            doseq=True,
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    match = re.search(rb'id="new-token"[^>]*value="(so_[\w-]+)"', reply.body)
    if reply.status != 201 or not match:
        raise SystemExit(f"token creation: HTTP {reply.status}")
    secret = match.group(1).decode()
    me = get(server, "/api/v1/me", {"Authorization": f"Bearer {secret}"})
    associations = json.loads(me.body)["associations"] if me.status == 200 else []
    if not associations:
        raise SystemExit(f"/api/v1/me: HTTP {me.status}, no association")
    return secret, associations[0]["id"]


def api_booking(room: str, day: date, slot: tuple[dtime, dtime], association: int, n: int) -> str:
    """One line of a bodies file for the API: its path, a tab, the JSON request."""
    start = datetime.combine(day, slot[0], tzinfo=PARIS)
    end = datetime.combine(day, slot[1], tzinfo=PARIS)
    body = {
        "resource": room,
        "association": association,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "title": f"Banc d'essai API {n}",
        "attendees": 4,
    }
    return PATHS["api_post"] + "\t" + json.dumps(body, separators=(",", ":"))


# ---------------------------------------------------------------- measures
@dataclass
class Measure:
    name: str
    label: str
    path: str
    expect: str = "200"
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    bodies: Path | None = None
    size: int | None = None
    per_room: bool = True
    server: Server | None = None  # another server than the app's (the bare ceiling)


def wrk(server: Server, measure: Measure, connections: int, bodies: Path | None) -> dict:
    threads = min(connections, 2)
    # An uncached statistics page takes about a second on a busy machine: give wrk time
    # for a few of them (with none, "cpu ms" would divide by zero requests).
    seconds = max(SECONDS, COLD_SECONDS) if measure.name == "stats_cold" else SECONDS
    env = dict(os.environ)
    env.update(
        {
            "BENCH_METHOD": measure.method,
            "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in measure.headers.items()),
            "BENCH_BODIES": str(bodies) if bodies else "",
            "BENCH_EXPECT": measure.expect,
            "BENCH_THREADS": str(threads),
            "BENCH_CYCLE": "1" if measure.name == "conflict" else "0",
        }
    )
    server = measure.server or server
    cpu_before = server.cpu_seconds()
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{server.port}{measure.path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCHJSON "))
    data = json.loads(line[len("BENCHJSON ") :])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    cpu = (server.cpu_seconds() - cpu_before) * 1000
    data["cpu_ms"] = cpu / data["requests"] if data["requests"] else float("nan")
    data["load"] = os.getloadavg()[0]
    # wrk's own "status" count is every answer >= 400, the expected 422 included;
    # wrk.lua's "unexpected" checks each status against the measure's expectation instead.
    data["errors"] = (
        data["connect"]
        + data["read"]
        + data["write"]
        + data["timeout"]
        + data["unexpected"]
        + data["exhausted"]
    )
    return data


def check(server: Server, measure: Measure) -> str | None:
    """One request first: the page must exist and answer as expected. Returns a problem."""
    if measure.method == "POST":
        assert measure.bodies is not None
        return None
    reply = get(measure.server or server, measure.path, measure.headers)
    if str(reply.status) not in measure.expect.split(","):
        return f"HTTP {reply.status}"
    measure.size = len(reply.body)
    return None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_scale(scale: int) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    url = fresh_database(scale)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "BENCH_ROUTES": "1",
            # The API's per-address allowance would refuse wrk's load: measure the answers
            # (the limiter's check still runs on every request).
            "API_RATE_LIMIT": os.environ.get("BENCH_API_RATE_LIMIT", "10000000/minute"),
            "PYTHONPATH": str(ROOT),
            "MAIL_SERVER": "",
            "INSTANCE_PATH": str(OUT / "instance"),
            "MAIL_OUTBOX_DIR": str(OUT / "outbox"),
        }
    )
    log(f"scale {scale}: fresh {DB_KIND} database, flask db upgrade")
    flask(["db", "upgrade"], env)
    started = time.perf_counter()
    if DB_KIND == "postgresql" and str(scale) in PG_TEMPLATES:
        log(f"scale {scale}: workload copied from {PG_TEMPLATES[str(scale)]}")
    else:
        log(flask(["bench-data", "--scale", str(scale)], env))
    build_seconds = time.perf_counter() - started
    open_rooms(env)
    log(
        flask(
            ["create-admin", STATS_EMAIL, "--name", "Bench stats", "--password", STATS_PASSWORD],
            env,
        )
    )
    if not ONLY or ONLY & {"stats", "stats_cold"}:
        # The statistics rollup of the measured year, summed once (booking/stats/rollup.py):
        # what `flask refresh-stats` does after a deployment, logged with its time.
        log(flask(["refresh-stats", "--year", "2026"], env))

    server = start_server(env)
    log(f"gunicorn -w {WORKERS} on 127.0.0.1:{server.port} (pid {server.process.pid})")
    cold = bare = None
    try:
        if not ONLY or "stats_cold" in ONLY:
            # Same database and secret key (the login cookie holds), no statistics cache.
            cold = start_server({**env, "STATS_CACHE_ENTRIES": "0"}, port_offset=1)
            log(f"gunicorn without the statistics cache on 127.0.0.1:{cold.port}")
        if not ONLY or "bare" in ONLY:
            bare = start_server(env, "bench.bare_app:app", port_offset=2)
            log(f"bare ceiling: gunicorn -w {WORKERS} on 127.0.0.1:{bare.port}")
        return measure_all(server, scale, build_seconds, bare, cold)
    finally:
        if cold is not None:
            cold.stop()
        server.stop()
        if bare is not None:
            bare.stop()


# The 304 measures and the page whose ETag each one sends back.
VALIDATED = {
    "feed304": "feed",
    "site_feed304": "site_feed",
    "public_feed304": "public_feed",
    "door304": "door",
    "api_304": "api_week",
}


def refresh_validator(server: Server, measures: list[Measure]) -> None:
    """Give the 304 measures the current ETags (what a polling client holds)."""
    for name, page in VALIDATED.items():
        if not any(m.name == name for m in measures):
            continue
        reply = get(server, PATHS[page])
        if reply.status == 200 and reply.headers.get("etag"):
            for m in measures:
                if m.name == name:
                    m.headers["If-None-Match"] = reply.headers["etag"]


def wait_for_a_whole_minute(seconds: int) -> None:
    """The door display's ETag holds the minute it shows: start a run of `seconds` early
    enough in a minute that its validator stays current to the end (a run of a minute or
    more cannot: its 304 measure then counts the answers after the change as errors)."""
    left = 60 - time.time() % 60
    if left < seconds + 2 and seconds < 58:
        time.sleep(left + 0.5)


def measure_all(
    server: Server,
    scale: int,
    build_seconds: float,
    bare: Server | None = None,
    cold: Server | None = None,
) -> dict:
    measures = [
        Measure("day", "1. day grid, 15 rooms", PATHS["day"]),
        Measure("week", "2. week, one room", PATHS["week"]),
        Measure("month", "3. month, one room", PATHS["month"]),
        Measure("feed", "4. room feed (full)", PATHS["feed"]),
        Measure("feed304", "5. room feed (304)", PATHS["feed"], expect="304"),
        Measure("site_feed304", "5b. site feed (304)", PATHS["site_feed"], expect="304"),
        Measure(
            "public_feed304",
            "5c. public feed (304)",
            PATHS["public_feed"],
            expect="304",
            per_room=False,
        ),
        Measure("door304", "5d. door display (304)", PATHS["door"], expect="304"),
        Measure("find", "6. find a free room", PATHS["find"]),
        Measure("post", "7a. booking POST", PATHS["post_form"], expect="302,303", method="POST"),
        Measure(
            "post_open",
            "7c. POST, no approval",
            PATHS["post_form"],
            expect="302,303",
            method="POST",
        ),
        Measure(
            "conflict",
            "7b. conflicting POST",
            PATHS["post_form"],
            expect="422",
            method="POST",
        ),
        Measure("api_week", "9a. API availability, one room, week", PATHS["api_week"]),
        Measure("api_day", "9b. API availability, 15 rooms, day", PATHS["api_day"]),
        Measure("api_304", "9c. API availability (304)", PATHS["api_week"], expect="304"),
        Measure("api_post", "9d. API booking POST", PATHS["api_post"], expect="201", method="POST"),
        Measure("ceiling", "8. ceiling", "/bench/ceiling?bytes=30000", per_room=False),
        Measure("bare", "8b. bare Flask ceiling", "/?bytes=30000", per_room=False, server=bare),
        Measure("stats", "9. statistics, a year", PATHS["stats"], per_room=False),
        Measure("stats_cold", "9'. statistics, uncached", PATHS["stats"], per_room=False),
    ]
    if ONLY:
        measures = [m for m in measures if m.name in ONLY]
    measures = [m for m in measures if m.name != "bare" or bare is not None]
    measures = [m for m in measures if m.name != "stats_cold" or cold is not None]
    for m in measures:
        if m.name == "stats_cold":
            m.server = cold

    def server_for(m: Measure) -> Server:
        return m.server or server

    problems: dict[str, str] = {}

    # The feed's validator, for the 304 measure; taken again before each of its runs,
    # because the booking POSTs change the room's calendar (and so its ETag).
    refresh_validator(server, measures)
    # Both ceilings return as many bytes as the day grid.
    day = get(server, PATHS["day"])
    for m in measures:
        if m.name == "ceiling" and day.status == 200:
            m.path = f"/bench/ceiling?bytes={len(day.body)}"
        if m.name == "bare" and day.status == 200:
            m.path = f"/?bytes={len(day.body)}"

    for m in measures:
        if m.name in ("stats", "stats_cold"):
            try:
                m.headers["Cookie"] = log_in(server, STATS_EMAIL, STATS_PASSWORD)
            except SystemExit as exc:
                problems[m.name] = str(exc)
    measures = [m for m in measures if m.name not in problems]

    posts = [m for m in measures if m.method == "POST"]
    slots = free_slots(date.today() + timedelta(days=2), PENDING_ROOMS)
    open_slots = free_slots(date.today() + timedelta(days=2), OPEN_ROOMS)
    token = ""
    bearer, association = "", 0
    if posts:
        try:
            cookie = log_in(server)
            form = get(server, PATHS["post_form"] + f"?resource={ROOM}", {"Cookie": cookie})
            if form.status != 200:
                raise SystemExit(f"reservation form: HTTP {form.status}")
            token = csrf_token(form.body)
            if any(m.name == "api_post" for m in posts):
                bearer, association = api_token(server, cookie)
        except SystemExit as exc:
            for m in posts:
                problems[m.name] = str(exc)
            measures = [m for m in measures if m.method != "POST"]
            posts = []
        for m in posts:
            if m.name == "api_post":
                m.headers.update(
                    {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
                )
            else:
                m.headers.update(
                    {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
                )

    results: dict[str, dict[int, list[dict]]] = {}
    available = []
    for m in measures:
        if m.method == "POST":
            available.append(m)
            continue
        problem = check(server_for(m), m)
        if problem:
            problems[m.name] = problem
            log(f"skipping {m.name}: {m.path} -> {problem}")
        else:
            available.append(m)

    # Warm up: every page a few times on every worker (and the feed cache built).
    for m in available:
        if m.method == "GET":
            for _ in range(2 if m.name == "stats_cold" else 20):
                get(server_for(m), m.path, m.headers)

    # The POSTs: one probe each first (status and size), then wrk with fresh slots.
    for m in [m for m in available if m.method == "POST"]:
        if m.name in ("post", "post_open"):
            room, day_, slot = next(slots if m.name == "post" else open_slots)
            body = booking_form(room, day_, slot, token, 0)
        elif m.name == "api_post":
            room, day_, slot = next(slots)
            body = api_booking(room, day_, slot, association, 0)
        else:
            body = booking_form(ROOM, CONFLICT_DAY, CONFLICT_SLOT, token, 0)
            m.bodies = OUT / f"conflict_{scale}.txt"
            m.bodies.write_text(body + "\n")
        path, _, form_body = body.partition("\t")
        reply = request(server, "POST", path, body=form_body, headers=m.headers)
        m.size = len(reply.body)
        if str(reply.status) not in m.expect.split(","):
            problems[m.name] = f"probe answered HTTP {reply.status}"
    available = [m for m in available if m.name not in problems]

    for run in range(RUNS):
        for m in available:
            for connections in CONNECTIONS:
                bodies = m.bodies
                if m.name in ("post", "post_open", "api_post"):
                    # More fresh slots than any rate this page reaches (three times the
                    # fastest seen: 46 a second at 1 connection, 87 at 8); running out is
                    # counted as an error by wrk.lua, never silently reused. Not more: the
                    # two rooms of 7c hold about 7,300 slots within their 730-day horizon,
                    # and three runs must fit in them.
                    needed = SECONDS * (150 if connections == 1 else 300)
                    bodies = OUT / f"{m.name}_{scale}_{run}_{connections}.txt"
                    lines = [
                        booking_form(room, day_, slot, token, n + 1)
                        if m.name != "api_post"
                        else api_booking(room, day_, slot, association, n + 1)
                        for n, (room, day_, slot) in zip(
                            range(needed),
                            open_slots if m.name == "post_open" else slots,
                            strict=False,
                        )
                    ]
                    bodies.write_text("\n".join(lines) + "\n")
                if m.name == "door304":
                    wait_for_a_whole_minute(SECONDS)
                if m.name in VALIDATED:
                    refresh_validator(server, [m])
                data = wrk(server_for(m), m, connections, bodies)
                results.setdefault(m.name, {}).setdefault(connections, []).append(data)
                log(
                    f"run {run + 1}/{RUNS} {m.name:9} c={connections}: {data['rps']:8.1f} req/s "
                    f"p50 {data['p50_us'] / 1000:6.2f} ms p99 {data['p99_us'] / 1000:6.2f} ms "
                    f"cpu {data['cpu_ms']:5.2f} ms/req load {data['load']:.1f} errors {data['errors']}"
                )

    rss = server.worker_rss_mb()
    return {
        "scale": scale,
        "database": DB_KIND,
        "build_seconds": round(build_seconds, 1),
        "template": PG_TEMPLATES.get(str(scale)) if DB_KIND == "postgresql" else None,
        "seconds": SECONDS,
        "runs": RUNS,
        "measures": [
            {
                "name": m.name,
                "label": m.label,
                "path": m.path,
                "size": m.size,
                "by_connections": {
                    c: {
                        "rps": median([r["rps"] for r in runs]),
                        "p50_ms": median([r["p50_us"] / 1000 for r in runs]),
                        "p99_ms": median([r["p99_us"] / 1000 for r in runs]),
                        "cpu_ms": median([r["cpu_ms"] for r in runs]),
                        "load": max(r["load"] for r in runs),
                        "errors": sum(r["errors"] for r in runs),
                        "requests": sum(r["requests"] for r in runs),
                        "runs": runs,
                    }
                    for c, runs in results.get(m.name, {}).items()
                },
            }
            for m in available
        ],
        "problems": problems,
        "worker_rss_mb": [round(x, 1) for x in rss],
    }


# ---------------------------------------------------------------- table
def table(result: dict) -> str:
    ceilings = [
        next((m for m in result["measures"] if m["name"] == name), None)
        for name in ("bare", "ceiling")
    ]
    lines = [
        f"scale {result['scale']} on {result['database']} ("
        + (
            f"workload copied from {result['template']}"
            if result.get("template")
            else f"workload built in {result['build_seconds']} s"
        )
        + f"; {result['seconds']} s per measure, median of "
        f"{result['runs']} run(s))",
        f"{'measure':24} {'conn':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8} "
        f"{'÷bare':>6} {'÷ceiling':>8} {'cpu ms':>7} {'errors':>6} {'load':>5}",
    ]
    for m in result["measures"]:
        for c, row in sorted(m["by_connections"].items()):
            ratios = [
                f"{row['rps'] / ceiling['by_connections'][c]['rps']:.2f}"
                if ceiling and c in ceiling["by_connections"]
                else ""
                for ceiling in ceilings
            ]
            size = "" if m["size"] is None else str(m["size"])
            lines.append(
                f"{m['label']:24} {c:>4} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} "
                f"{row['p99_ms']:>8.2f} {size:>8} {ratios[0]:>6} {ratios[1]:>8} {row['cpu_ms']:>7.2f} "
                f"{row['errors']:>6} {row['load']:>5.1f}"
            )
    for name, problem in result["problems"].items():
        lines.append(f"{name}: not measured ({problem})")
    lines.append(
        "worker RSS after the measures: "
        + ", ".join(f"{x:.0f} MB" for x in result["worker_rss_mb"])
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    scales = [int(s) for s in env_list("BENCH_SCALE", "1")]
    if "--scale" in argv:
        scales = [int(argv[argv.index("--scale") + 1])]
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found (bench/run.sh installs it)")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tables = []
    for scale in scales:
        result = run_scale(scale)
        result.update({"commit": commit, "date": stamp})
        name = f"result_{DB_KIND}_s{scale}_{stamp.replace(':', '')}.json"
        (OUT / name).write_text(json.dumps(result, indent=1, default=str))
        tables.append(table(result))
    print()
    print(f"commit {commit}, {stamp}, {machine()}")
    for text_ in tables:
        print()
        print(text_)
    return 0


def machine() -> str:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    return f"nproc {os.cpu_count()}, RAM {total}, CPU {cpu}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
