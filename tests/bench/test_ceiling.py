"""The benchmark's ceiling route exists only when BENCH_ROUTES is on."""

from __future__ import annotations

from booking import create_app
from config import TestConfig


class _BenchConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    BENCH_ROUTES = True


class _PlainConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    BENCH_ROUTES = False


def test_ceiling_answers_a_body_of_exactly_the_requested_size() -> None:
    client = create_app(_BenchConfig).test_client()
    for size in (0, 10, 1000, 54_321):
        response = client.get(f"/bench/ceiling?bytes={size}")
        assert response.status_code == 200
        assert len(response.data) == size
    assert client.get("/bench/ceiling?bytes=-5").data == b""
    assert len(client.get("/bench/ceiling?bytes=99999999999").data) == 4 * 1024 * 1024


def test_ceiling_is_absent_unless_bench_routes_is_on() -> None:
    client = create_app(_PlainConfig).test_client()
    assert client.get("/bench/ceiling?bytes=10").status_code == 404
