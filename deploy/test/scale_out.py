"""`make deploy-test`: nginx in front of two gunicorn instances on one PostgreSQL and Redis.

Everything runs on 127.0.0.1 and is stopped at the end. It proves, through nginx:
- a booking made through one instance is in the other's day grid, week and feed (and its
  ETag) on the very next request;
- rate limits hold across both instances (Redis) and see the real client address
  (TRUSTED_PROXIES=1), not nginx's, and a forged X-Forwarded-For does not reset them;
- 16 concurrent requests for one slot spread over both instances: exactly one approved;
- the mail sender running on both instances at once delivers each message once;
- a rolling restart of each instance under load: zero failed requests;
and the deployment basics: HTTP -> HTTPS, HSTS, gzip, fingerprinted static files served
by nginx for a year, /healthz and /readyz.

Settings (environment): DEPLOY_TEST_DATABASE (default salles_deploy, dropped and
created), DEPLOY_TEST_REDIS (default redis://127.0.0.1:6379/14, flushed), PGHOST/PGUSER.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import psycopg
import redis
import requests
import urllib3
from aiosmtpd.controller import Controller
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render import render  # noqa: E402

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
VENV_BIN = Path(sys.executable).parent
ROOM = "cabine-visio-des-capucins"  # demo room approved on arrival, open Tue-Sat 10-19
MEMBER = ("association@example.org", "demo-password")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.2)
    raise SystemExit(f"deploy-test: timed out waiting for {what}")


class SourceAdapter(HTTPAdapter):
    """Requests from a chosen loopback address: another client, as nginx sees it."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client(source: str = "127.0.0.1", base: str = "") -> requests.Session:
    session = requests.Session()
    if base:
        session.headers["Referer"] = base + "/"  # as a browser sends; CSRF checks it on HTTPS
    session.verify = False  # the test's self-signed certificate
    session.trust_env = False  # no proxy, no CA bundle from the environment over verify
    session.mount("https://", SourceAdapter(source))
    session.mount("http://", SourceAdapter(source))
    return session


class Sink:
    """An SMTP server counting what it receives, by Message-ID."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.M | re.I)
        self.ids[found.group(1).decode() if found else "?"] += 1
        return "250 OK"


class Deployment:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ports = {name: free_port() for name in ("a", "b", "http", "https")}
        self.base = f"https://127.0.0.1:{self.ports['https']}"
        self.database = os.environ.get("DEPLOY_TEST_DATABASE", "salles_deploy")
        self.redis_url = os.environ.get("DEPLOY_TEST_REDIS", "redis://127.0.0.1:6379/14")
        self.sink = Sink()
        self.gunicorn: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "APP_ENV": "production",
            "FLASK_APP": "wsgi",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"postgresql+psycopg://{self._pg_user()}@127.0.0.1:5432/{self.database}",
            "BASE_URL": "https://salles.test",
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "TRUSTED_PROXIES": "1",
            "SESSION_COOKIE_SECURE": "1",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.sink.port),
            "MAIL_DEFAULT_SENDER": "Salles Ouvertes <no-reply@salles.test>",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2",
            "INSTANCE_PATH": str(workdir / "instance"),
        }

    @staticmethod
    def _pg_user() -> str:
        return os.environ.get("PGUSER", "postgres")

    # --- set-up ---------------------------------------------------------------------

    def fresh_database(self) -> None:
        admin = f"postgresql://{self._pg_user()}@127.0.0.1:5432/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')
        redis.Redis.from_url(self.redis_url).flushdb()
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        self.flask("check-config")

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "flask"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_instance(self, name: str) -> None:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.ports[name]}"}
        log = (self.workdir / f"gunicorn-{name}.log").open("ab")
        self.gunicorn[name] = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{self.ports[name]}/readyz"
        wait_until(lambda: requests.get(url, timeout=2).status_code == 200, 30, f"instance {name}")

    def stop_instance(self, name: str) -> None:
        process = self.gunicorn.pop(name, None)
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: running requests finish
            process.wait(timeout=40)

    def start_nginx(self) -> None:
        tls = self.workdir / "tls"
        tls.mkdir()
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=salles.test", "-keyout", str(tls / "key.pem"),
                "-out", str(tls / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        site = render(
            (ROOT / "deploy/nginx/salles-ouvertes.conf.in").read_text(),
            {
                "SERVER_NAME": "salles.test",
                "HTTP_LISTEN": f"127.0.0.1:{self.ports['http']}",
                "HTTPS_LISTEN": f"127.0.0.1:{self.ports['https']}",
                "TLS_CERTIFICATE": str(tls / "cert.pem"),
                "TLS_CERTIFICATE_KEY": str(tls / "key.pem"),
                "STATIC_ROOT": str(ROOT / "booking/static"),
                "APP_SERVERS": " ".join(
                    f"server 127.0.0.1:{self.ports[n]} max_fails=1 fail_timeout=2s;"
                    for n in ("a", "b")
                ),
            },
        )
        # For the test only: say which instance answered.
        site = site.replace(
            "proxy_pass http://salles_ouvertes;",
            "proxy_pass http://salles_ouvertes;\n        add_header X-Upstream $upstream_addr always;",
        )
        temp = self.workdir / "nginx"
        temp.mkdir()
        (temp / "nginx.conf").write_text(
            f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {temp}/nginx.pid;
error_log {temp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {temp}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    {site}
}}
"""
        )
        self.nginx_conf = temp / "nginx.conf"
        base = ["nginx", "-p", str(temp), "-e", str(temp / "error.log"), "-c", str(self.nginx_conf)]
        self.nginx = base
        subprocess.run([*base, "-t", "-q"], check=True)
        subprocess.run(base, check=True)
        wait_until(lambda: client().get(self.base + "/healthz", timeout=2).ok, 20, "nginx")

    def stop(self) -> None:
        if getattr(self, "nginx", None):
            subprocess.run([*self.nginx, "-s", "quit"], check=False)
        for name in list(self.gunicorn):
            self.stop_instance(name)
        self.sink.controller.stop()


# --- scenarios ------------------------------------------------------------------------


def upstream(response: requests.Response) -> str:
    return response.headers.get("X-Upstream", "").split(",")[-1].strip()


def next_weekday(weekday: int, after_days: int = 3) -> date:
    day = date.today() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def logged_in(dep: Deployment, source: str = "127.0.0.1") -> requests.Session:
    session = client(source, dep.base)
    page = session.get(dep.base + "/account/login", timeout=10)
    token = CSRF.search(page.text).group(1)
    reply = session.post(
        dep.base + "/account/login",
        data={"email": MEMBER[0], "password": MEMBER[1], "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    if reply.status_code != 302:
        raise SystemExit(f"login through nginx failed: HTTP {reply.status_code}")
    return session


def request_booking(dep: Deployment, session, day: date, start: str, end: str, title: str):
    form = session.get(
        f"{dep.base}/reservations/new",
        params={"resource": ROOM, "date": day.isoformat()},
        timeout=10,
    )
    token = CSRF.search(form.text).group(1)
    return session.post(
        f"{dep.base}/reservations/new?resource={ROOM}",
        data={
            "csrf_token": token,
            "date": day.isoformat(),
            "start": start,
            "end": end,
            "title": title,
            "attendees": "2",
            "visibility": "public",
            "repeat": "none",
            "submit": "1",
        },
        allow_redirects=False,
        timeout=30,
    )


def scenario_basics(dep: Deployment) -> None:
    plain = client().get(
        f"http://127.0.0.1:{dep.ports['http']}/calendar/day", allow_redirects=False, timeout=5
    )
    check(
        "HTTP redirects to HTTPS",
        plain.status_code == 301 and plain.headers["Location"].startswith("https://"),
    )
    home = client().get(dep.base + "/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    check("HSTS on pages", "max-age=31536000" in home.headers.get("Strict-Transport-Security", ""))
    check("HTML is gzipped", home.headers.get("Content-Encoding") == "gzip")
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', home.text)
    check("static URLs are fingerprinted", css is not None)
    if css:
        asset = client().get(dep.base + css.group(1), timeout=5)
        check(
            "static files served by nginx for a year",
            asset.ok
            and "immutable" in asset.headers.get("Cache-Control", "")
            and "X-Upstream" not in asset.headers,
        )
    ready = client().get(dep.base + "/readyz", timeout=5)
    check("/readyz through nginx", ready.status_code == 200 and ready.json()["ready"] is True)


def scenario_no_stale_cache(dep: Deployment) -> None:
    day = next_weekday(2)
    anon = client()
    paths = {
        "day grid": f"/calendar/day?date={day.isoformat()}",
        "week": f"/calendar/resources/{ROOM}/week?date={day.isoformat()}",
        "feed": f"/feeds/resources/{ROOM}.ics",
    }
    etags: dict[str, dict[str, str]] = {}
    for name, path in paths.items():  # warm both instances' caches
        seen: dict[str, str] = {}
        for _ in range(12):
            reply = anon.get(dep.base + path, timeout=10)
            seen[upstream(reply)] = reply.headers.get("ETag", "")
        etags[name] = seen
    title = f"Atelier {secrets.token_hex(3)}"
    session = logged_in(dep)
    made = request_booking(dep, session, day, "11:00", "12:00", title)
    writer = upstream(made)
    check(
        "booking request accepted through nginx",
        made.status_code == 302,
        f"HTTP {made.status_code}",
    )
    for name, path in paths.items():
        for _ in range(10):
            reply = anon.get(dep.base + path, timeout=10)
            if upstream(reply) != writer:
                break
        fresh = title in reply.text
        etag_moved = reply.headers.get("ETag", "") != etags[name].get(upstream(reply), "")
        check(
            f"{name}: the other instance shows the booking at once",
            upstream(reply) != writer and fresh and (name != "feed" or etag_moved),
            f"written by {writer}, read from {upstream(reply)}",
        )


def scenario_rate_limits(dep: Deployment) -> None:
    attacker, other = client("127.0.0.2", dep.base), client("127.0.0.3", dep.base)
    token = CSRF.search(attacker.get(dep.base + "/account/login", timeout=10).text).group(1)
    wrong = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    statuses, instances, limit = [], set(), None
    for _ in range(40):
        reply = attacker.post(
            dep.base + "/account/login", data=wrong, allow_redirects=False, timeout=10
        )
        statuses.append(reply.status_code)
        instances.add(upstream(reply))
        limit = limit or reply.headers.get("X-RateLimit-Limit")
        if reply.status_code == 429:
            break
    allowed = statuses.count(200) + statuses.count(302)
    check(
        "login limit holds across both instances",
        429 in statuses and limit is not None and allowed <= int(limit) and len(instances) == 2,
        f"{allowed} tries before 429 (limit {limit}) over {len(instances)} instances",
    )
    forged = attacker.post(
        dep.base + "/account/login",
        data=wrong,
        headers={"X-Forwarded-For": "203.0.113.9"},
        allow_redirects=False,
        timeout=10,
    )
    check("a forged X-Forwarded-For does not reset the limit", forged.status_code == 429)
    token = CSRF.search(other.get(dep.base + "/account/login", timeout=10).text).group(1)
    innocent = other.post(
        dep.base + "/account/login",
        data={**wrong, "email": "someone@example.org", "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    check(
        "another client address is not limited",
        innocent.status_code != 429,
        f"HTTP {innocent.status_code}",
    )


def scenario_one_slot_sixteen_requests(dep: Deployment) -> None:
    day = next_weekday(3)
    signed_in = logged_in(dep)  # one sign-in, its cookie copied: login limits stay out of it
    sessions = []
    for _ in range(16):
        session = client(base=dep.base)
        session.cookies.update(signed_in.cookies)
        sessions.append(session)
    barrier = threading.Barrier(16)
    replies: list[requests.Response | Exception] = []

    def attempt(session: requests.Session, n: int) -> None:
        barrier.wait()
        try:
            replies.append(request_booking(dep, session, day, "15:00", "16:00", f"Concurrent {n}"))
        except requests.RequestException as exc:
            replies.append(exc)

    threads = [threading.Thread(target=attempt, args=(s, n)) for n, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = [r.status_code if isinstance(r, requests.Response) else repr(r) for r in replies]
    instances = {upstream(r) for r in replies if isinstance(r, requests.Response)}
    with psycopg.connect(dep.env["DATABASE_URL"].replace("+psycopg", "")) as conn:
        approved = conn.execute(
            "SELECT count(*) FROM booking WHERE title LIKE 'Concurrent %' AND state = 'approved'"
        ).fetchone()[0]
    check(
        "16 concurrent requests for one slot over both instances: exactly one approved",
        approved == 1 and not any(isinstance(s, str) or s >= 500 for s in statuses),
        f"approved={approved}, statuses={sorted(map(str, statuses))}, instances={len(instances)}",
    )


def scenario_mail_once(dep: Deployment) -> None:
    script = (
        "from booking import create_app\n"
        "from booking.extensions import db\n"
        "from booking.outbox import enqueue\n"
        "from email.message import EmailMessage\n"
        "from email.utils import make_msgid\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    for n in range(60):\n"
        "        m = EmailMessage(); m['To'] = f'person{n}@example.org'\n"
        "        m['From'] = 'no-reply@salles.test'; m['Subject'] = f'Test {n}'\n"
        "        m['Message-ID'] = make_msgid(domain='salles.test'); m.set_content('x')\n"
        "        enqueue(m, kind='deploy-test')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=dep.env, check=True)
    senders = [
        subprocess.Popen([str(VENV_BIN / "flask"), "send-mail"], cwd=ROOT, env=dep.env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]  # fmt: skip
    for sender in senders:
        sender.wait(timeout=120)
    test_ids = {k: v for k, v in dep.sink.ids.items() if "salles.test" in k}
    with psycopg.connect(dep.env["DATABASE_URL"].replace("+psycopg", "")) as conn:
        unsent = conn.execute(
            "SELECT count(*) FROM outbox_message WHERE kind = 'deploy-test' AND sent_at IS NULL"
        ).fetchone()[0]
    duplicates = {k: v for k, v in dep.sink.ids.items() if v > 1}
    check(
        "two senders at once deliver each message exactly once",
        len(test_ids) >= 60 and not duplicates and unsent == 0,
        f"{len(test_ids)} delivered, {len(duplicates)} twice, {unsent} left",
    )


def scenario_rolling_restart(dep: Deployment) -> None:
    failures: list[str] = []
    served = Counter()
    stop = threading.Event()

    def load() -> None:
        session = client()
        while not stop.is_set():
            for path in ("/calendar/day", "/", f"/feeds/resources/{ROOM}.ics"):
                try:
                    reply = session.get(dep.base + path, timeout=30)
                    served[reply.status_code] += 1
                    if reply.status_code >= 500:
                        failures.append(f"{path}: HTTP {reply.status_code}")
                except requests.RequestException as exc:
                    failures.append(f"{path}: {exc!r}")

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    for name in ("a", "b"):
        dep.stop_instance(name)
        time.sleep(1)
        dep.start_instance(name)
        time.sleep(1)
    dep.gunicorn["a"].send_signal(signal.SIGHUP)  # graceful reload of the code
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    check(
        "rolling restart of each instance under load: zero failed requests",
        not failures and sum(served.values()) > 50,
        f"{sum(served.values())} requests, {len(failures)} failed {failures[:3]}",
    )


def main() -> int:
    for tool in ("nginx", "openssl"):
        if shutil.which(tool) is None:
            print(f"deploy-test: {tool} not found (apt-get install nginx openssl)", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="salles-deploy-") as tmp:
        dep = Deployment(Path(tmp))
        dep.sink.controller.start()
        try:
            dep.fresh_database()
            dep.start_instance("a")
            dep.start_instance("b")
            dep.start_nginx()
            for scenario in (
                scenario_basics,
                scenario_no_stale_cache,
                scenario_one_slot_sixteen_requests,
                scenario_mail_once,
                scenario_rate_limits,  # last of those that sign in: it spends the limits
                scenario_rolling_restart,
            ):
                scenario(dep)
        finally:
            dep.stop()
            nginx_log = Path(tmp, "nginx", "error.log")
            if nginx_log.exists() and nginx_log.stat().st_size:
                print("--- nginx error.log:\n" + nginx_log.read_text()[-2000:], file=sys.stderr)
            for log in sorted(Path(tmp).glob("gunicorn-*.log")):
                text = log.read_text(errors="replace")
                if "Traceback" in text:
                    print(f"--- {log.name} has a traceback:\n{text[-3000:]}", file=sys.stderr)
    failed = [name for name, ok, _ in results if not ok]
    print(f"deploy-test: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
