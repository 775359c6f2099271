"""Profile one page in-process with pyinstrument: where does a request's time go?

    DATABASE_URL=sqlite:///bench/out/bench_s1.db .venv/bin/python bench/profile.py \
        "/calendar/day?date=2026-09-29&site=visio" [requests]

Runs the app in its production configuration through Flask's test client (no network, no
gunicorn), prints the mean wall and CPU milliseconds per request, then the profile.
Options (environment): PROFILE_COOKIE (a Cookie header, for pages behind a login),
PROFILE_HEADERS ("Name: value" lines), PROFILE_LENGTH (characters of profile to print).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "profile-only-secret-key-profile-only-secret")

from pyinstrument import Profiler

from booking import create_app


def main(argv: list[str]) -> int:
    path = argv[0]
    count = int(argv[1]) if len(argv) > 1 else 200
    headers = {}
    for line in os.environ.get("PROFILE_HEADERS", "").splitlines():
        name, _, value = line.partition(":")
        if name:
            headers[name.strip()] = value.strip()
    if os.environ.get("PROFILE_COOKIE"):
        headers["Cookie"] = os.environ["PROFILE_COOKIE"]
    client = create_app().test_client()
    first = client.get(path, headers=headers)
    print(f"{path}: HTTP {first.status_code}, {len(first.data)} bytes")
    for _ in range(20):
        client.get(path, headers=headers)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        client.get(path, headers=headers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{count} requests: {wall / count * 1000:.2f} ms wall, {cpu / count * 1000:.2f} ms CPU each"
    )
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        client.get(path, headers=headers)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False)
    print(text[: int(os.environ.get("PROFILE_LENGTH", "12000"))])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
