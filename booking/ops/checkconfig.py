"""`flask --app wsgi check-config`: refuse a production start with a missing or unsafe setting.

Run it before starting the service (the systemd unit does, as ExecStartPre): it names
each problem and the variable to set. Errors stop the start; warnings are printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

WEAK_SECRETS = {"", "changeme", "change-me", "secret", "dev", "test-secret-key"}
MIN_SECRET_LENGTH = 32
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" or "warning"
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity.upper()} {self.setting}: {self.message}"


def check_config(config: dict, env_name: str, workers: int = 2) -> list[Problem]:
    """The problems of a configuration; in development, only what would break it."""
    problems: list[Problem] = []
    production = env_name == "production"

    def error(setting: str, message: str) -> None:
        problems.append(Problem("error" if production else "warning", setting, message))

    def warning(setting: str, message: str) -> None:
        problems.append(Problem("warning", setting, message))

    secret = str(config.get("SECRET_KEY") or "")
    if secret.lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        error(
            "SECRET_KEY",
            f"set a random value of at least {MIN_SECRET_LENGTH} characters "
            '(python3 -c "import secrets; print(secrets.token_hex(32))").',
        )
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if database.startswith("sqlite"):
        warning(
            "DATABASE_URL",
            "SQLite serves one machine; for several instances use PostgreSQL "
            "(postgresql+psycopg://user:password@host/dbname).",
        )
    base_url = urlsplit(str(config.get("BASE_URL") or ""))
    if base_url.scheme != "https" or (base_url.hostname or "") in LOCAL_HOSTS:
        error(
            "BASE_URL",
            "set the public https:// address of the service (used in emails and feeds).",
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://") and workers > 1:
        error(
            "RATELIMIT_STORAGE_URI",
            "with several workers or instances, limits must be shared: "
            "set redis://host:6379/0 (each process counts alone with memory://).",
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        error("SESSION_COOKIE_SECURE", "cookies must be sent over HTTPS only: set it to 1.")
    if not config.get("MAIL_SERVER"):
        error(
            "MAIL_SERVER",
            "without an SMTP server, emails are only written as files under instance/outbox/.",
        )
    sender = str(config.get("MAIL_DEFAULT_SENDER") or "")
    if sender.endswith(".example.org>") or sender.endswith(".example.org"):
        warning("MAIL_DEFAULT_SENDER", "set the address emails are sent from.")
    if config.get("DEBUG"):
        error("DEBUG", "never run the debugger in production.")
    if config.get("LOAD_DEMO_DATA"):
        error("LOAD_DEMO_DATA", "demonstration accounts have public passwords.")
    return problems
