"""Cold and cached build time of room feeds, in-process (production configuration).

    DATABASE_URL=sqlite:////abs/path/bench_s1.db .venv/bin/python bench/feed_cold.py

The first request for a room's feed builds it (cold); the second is served from the
feed cache. Salle visio 02 is requested first so that imports and templates are warm.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "feed-cold-only-secret-key-feed-cold-only")

from booking import create_app


def timed(client, url: str):
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    return response, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    client = create_app().test_client()
    client.get("/feeds/resources/salle-visio-02.ics")
    for slug in ("salle-visio-01", "salle-visio-03", "salle-visio-04"):
        url = f"/feeds/resources/{slug}.ics"
        cold, cold_wall, cold_cpu = timed(client, url)
        _, warm_wall, warm_cpu = timed(client, url)
        events = cold.data.count(b"BEGIN:VEVENT")
        print(
            f"{slug}: HTTP {cold.status_code}, {len(cold.data)} bytes, {events} events; "
            f"cold {cold_wall:.0f} ms wall {cold_cpu:.0f} ms CPU; "
            f"cached {warm_wall:.1f} ms wall {warm_cpu:.1f} ms CPU"
        )


if __name__ == "__main__":
    main()
