"""Limits hold across workers when they share Redis (issue 12, item 4).

Two gunicorn processes (one worker each, so that the requests alternate
between them for certain) serve one database; the login requests alternate
between them. With Redis the counts are shared and the limits hold; with the
default `memory://` each worker counts on its own, which the control case
shows (and which is why production must use Redis).

Skipped when Redis is unreachable, unless REQUIRE_REDIS=1 (CI sets it).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

from config import BASE_DIR

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
ROOT = Path(BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _redis_or_skip() -> None:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.flushdb()  # this database is the tests' own (number 4)
    except Exception as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (REQUIRE_REDIS=1) but unreachable: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")


def _wait_for(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not start")


def _serve(storage: str, ports: tuple[int, ...], where: Path) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "development",
        "SECRET_KEY": "two-workers-one-secret",
        "DATABASE_URL": f"sqlite:///{where / 'shared.db'}",
        "INSTANCE_PATH": str(where),
        "MAIL_OUTBOX_DIR": str(where / "outbox"),
        "MAIL_SEND_AFTER_REQUEST": "0",
        "RATELIMIT_STORAGE_URI": storage,
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    processes = []
    try:
        for port in ports:
            with (where / f"gunicorn-{port}.log").open("w") as log:
                process = subprocess.Popen(
                    [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
        for port, process in zip(ports, processes, strict=True):
            _wait_for(port, process, where / f"gunicorn-{port}.log")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    _redis_or_skip()
    yield from _serve(REDIS_URL, (8141, 8142), tmp_path_factory.mktemp("redis-servers"))


@pytest.fixture
def fresh_redis_counts(redis_servers: list[str]) -> list[str]:
    _redis_or_skip()  # empties the counts of the previous test
    return redis_servers


@pytest.fixture
def memory_servers(tmp_path: Path) -> Iterator[list[str]]:
    yield from _serve("memory://", (8143, 8144), tmp_path)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _browser():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )


def _status(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _failed_logins(bases: list[str], emails: list[str]) -> list[int]:
    """Wrong passwords posted alternately to each server, as one browser (one CSRF token)."""
    browser = _browser()
    _code, html = _status(browser, f"{bases[0]}/account/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return [
        _status(
            browser,
            f"{bases[i % len(bases)]}/account/login",
            {"csrf_token": token, "email": email, "password": "wrong password"},
        )[0]
        for i, email in enumerate(emails)
    ]


def test_the_per_address_login_limit_holds_across_two_workers_sharing_redis(fresh_redis_counts):
    statuses = _failed_logins(fresh_redis_counts, [f"n{i}@example.org" for i in range(14)])
    assert statuses[:10] == [200] * 10  # "10 per minute" from one address, in all
    assert statuses[10:] == [429] * 4


def test_the_per_account_throttle_holds_across_two_workers_sharing_redis(fresh_redis_counts):
    statuses = _failed_logins(fresh_redis_counts, ["lea@example.org"] * 7)
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]


def test_with_memory_storage_each_worker_counts_alone(memory_servers):
    """The control: the same requests get through beyond the limit without shared storage."""
    statuses = _failed_logins(memory_servers, [f"n{i}@example.org" for i in range(14)])
    assert 429 not in statuses
