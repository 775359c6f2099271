"""Profile one page in-process with pyinstrument: where does a request's time go?

    DATABASE_URL=sqlite:///bench/out/bench_s1.db .venv/bin/python bench/profile.py \
        "/calendar/day?date=2026-09-29&site=visio" [requests]

Runs the app in its production configuration through Flask's test client (no network, no
gunicorn), prints the mean wall and CPU milliseconds per request, then the profile.
Options (environment): PROFILE_HEADERS ("Name: value" lines), PROFILE_LENGTH (characters
of profile to print), PROFILE_LOGIN ("email:password": log in through the form first),
PROFILE_POST (an urlencoded form: POST it to the path, with the CSRF token scraped from the
page; e.g. the conflicting booking request, which can be sent again and again).
"""

from __future__ import annotations

import os
import re
import sys
import time
from urllib.parse import parse_qsl

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-profile-only-secret")

from pyinstrument import Profiler

from booking import create_app

TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def _token(html: str) -> str:
    match = TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else ""


def main(argv: list[str]) -> int:
    path = argv[0]
    count = int(argv[1]) if len(argv) > 1 else 200
    headers = {}
    for line in os.environ.get("PROFILE_HEADERS", "").splitlines():
        name, _, value = line.partition(":")
        if name:
            headers[name.strip()] = value.strip()
    client = create_app().test_client()
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

    def call():
        if form is None:
            return client.get(path, headers=headers)
        return client.post(path, data=form, headers=headers)

    first = call()
    print(f"{path}: HTTP {first.status_code}, {len(first.data)} bytes")
    for _ in range(20):
        call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{count} requests: {wall / count * 1000:.2f} ms wall, {cpu / count * 1000:.2f} ms CPU each"
    )
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        call()
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False)
    print(text[: int(os.environ.get("PROFILE_LENGTH", "12000"))])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
