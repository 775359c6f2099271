"""Configuration read from environment variables.

`Config` is the development default, `TestConfig` is used by the test suite and
`ProductionConfig` refuses to start without a real secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _development_secret_key() -> str:
    """A secret generated once and kept under instance/ so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Accept the common postgres:// and postgresql:// spellings; we drive psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'salles.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
    # How long a write waits for SQLite's lock before the "busy, try again" page (503).
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 10_000)
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Paris")
    PORT = _int("PORT", 5000)
    BASE_URL = os.environ.get("BASE_URL", f"http://127.0.0.1:{_int('PORT', 5000)}")

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("fr", "en")

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Server-side sessions (booking/auth/session.py), in seconds: see README "Security".
    SESSION_IDLE_TIMEOUT = _int("SESSION_IDLE_TIMEOUT", 2 * 3600)
    SESSION_LIFETIME = _int("SESSION_LIFETIME", 12 * 3600)
    REMEMBER_LIFETIME = _int("REMEMBER_LIFETIME", 30 * 24 * 3600)  # 0: no "remember me"

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Salles Ouvertes <no-reply@salles-ouvertes.example.org>"
    )
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    MAIL_SEND_AFTER_REQUEST = _bool("MAIL_SEND_AFTER_REQUEST", True)

    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)  # seconds
    PENDING_REMINDER_DAYS = _int("PENDING_REMINDER_DAYS", 3)
    FEED_PAST_DAYS = _int("FEED_PAST_DAYS", 90)
    FEED_FUTURE_DAYS = _int("FEED_FUTURE_DAYS", 365)
    FEED_CANCELLED_DAYS = _int("FEED_CANCELLED_DAYS", 30)
    GRID_CACHE_ENTRIES = _int("GRID_CACHE_ENTRIES", 256)  # built grids and their pages, per process
    # A request hit by a deadlock or a serialization failure runs again, at most this many
    # times in all (booking/core/retry.py), then answers 503 "try again".
    TRANSACTION_ATTEMPTS = _int("TRANSACTION_ATTEMPTS", 4)
    PAGE_SIZE = _int("PAGE_SIZE", 25)  # rows per page of every paginated list
    STATS_CACHE_ENTRIES = _int("STATS_CACHE_ENTRIES", 64)  # statistics figures, per process
    # Resource-years of the statistics rollup one request may sum again (booking/stats/rollup.py)
    STATS_ROLLUP_BUDGET = _int("STATS_ROLLUP_BUDGET", 40)

    # Largest request body (uploads included), in bytes: larger ones get a 413 page unread.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 3 * 1024 * 1024)
    # Reverse proxies in front of the app (nginx: 1): X-Forwarded-For/-Proto are believed
    # from that many hops only. 0 (the default): the headers are ignored.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 0)  # seconds; 0: no Strict-Transport-Security

    # Rate limits and login throttling share this storage: redis://... in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # The IETF draft's names (RateLimit-Limit / -Remaining / -Reset), used by the API too.
    RATELIMIT_HEADER_LIMIT = "RateLimit-Limit"
    RATELIMIT_HEADER_REMAINING = "RateLimit-Remaining"
    RATELIMIT_HEADER_RESET = "RateLimit-Reset"
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/minute")  # per token, else per address

    # Personal data (RGPD) and the accessibility statement: see /confidentialite, /accessibilite.
    DATA_CONTROLLER = os.environ.get("DATA_CONTROLLER", "Ville de Brest")
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "dpo@salles-ouvertes.example.org")
    ACCESSIBILITY_CONTACT = os.environ.get(
        "ACCESSIBILITY_CONTACT", "accessibilite@salles-ouvertes.example.org"
    )
    ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "partial")  # full|partial|none
    ACCESSIBILITY_EVALUATED_ON = os.environ.get("ACCESSIBILITY_EVALUATED_ON", "2026-12-04")
    ACCESSIBILITY_PLAN_URL = os.environ.get("ACCESSIBILITY_PLAN_URL", "")
    RETENTION_PERSONAL_MONTHS = _int("RETENTION_PERSONAL_MONTHS", 24)
    RETENTION_OUTBOX_DAYS = _int("RETENTION_OUTBOX_DAYS", 30)
    RETENTION_UNCONFIRMED_DAYS = _int("RETENTION_UNCONFIRMED_DAYS", 30)
    # Periodic jobs (the purge...) run from requests, once per interval across all workers.
    PERIODIC_JOBS_ENABLED = _bool("PERIODIC_JOBS_ENABLED", True)
    PERIODIC_CHECK_SECONDS = _int("PERIODIC_CHECK_SECONDS", 60)
    PURGE_INTERVAL_HOURS = _int("PURGE_INTERVAL_HOURS", 24)
    CHECKIN_RELEASE_SECONDS = _int("CHECKIN_RELEASE_SECONDS", 60)  # no-show release; 0: cron only

    LOAD_DEMO_DATA = False
    BENCH_ROUTES = _bool("BENCH_ROUTES")  # `make bench` only: the /bench/ceiling route

    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _development_secret_key()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # scrypt costs a third of a second per hash on a busy 2-core machine; tests hash a lot.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name, not a password
    MAIL_SERVER = ""
    MAIL_SEND_AFTER_REQUEST = False
    PERIODIC_JOBS_ENABLED = False  # tests that need them turn them on
    BASE_URL = "http://salles.test"
    SERVER_NAME = None

    @classmethod
    def init_app(cls, app) -> None:
        pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600)

    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (environment variable).")


CONFIGS = {
    "development": Config,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by APP_ENV (development by default)."""
    return CONFIGS[os.environ.get("APP_ENV", "development")]
