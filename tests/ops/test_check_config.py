"""check-config names every missing or unsafe production setting, and passes a good one."""

from __future__ import annotations

import re
from pathlib import Path

from booking.ops.checkconfig import check_config

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": "a" * 64,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://salles@db/salles",
    "BASE_URL": "https://salles.brest.fr",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "SESSION_COOKIE_SECURE": True,
    "MAIL_SERVER": "smtp.brest.fr",
    "MAIL_DEFAULT_SENDER": "Salles Ouvertes <no-reply@brest.fr>",
}


def _settings(problems) -> set[str]:
    return {p.setting for p in problems if p.severity == "error"}


def test_a_complete_production_configuration_passes():
    assert check_config(GOOD, "production", workers=4) == []


def test_each_unsafe_setting_is_named():
    bad = {
        **GOOD,
        "SECRET_KEY": "changeme",
        "BASE_URL": "http://127.0.0.1:5000",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SESSION_COOKIE_SECURE": False,
        "MAIL_SERVER": "",
        "DEBUG": True,
    }
    assert _settings(check_config(bad, "production", workers=4)) == {
        "SECRET_KEY",
        "BASE_URL",
        "RATELIMIT_STORAGE_URI",
        "SESSION_COOKIE_SECURE",
        "MAIL_SERVER",
        "DEBUG",
    }


def test_memory_limits_are_fine_for_a_single_process():
    one = {**GOOD, "RATELIMIT_STORAGE_URI": "memory://"}
    assert check_config(one, "production", workers=1) == []


def test_development_only_warns():
    problems = check_config({}, "development")
    assert problems
    assert {p.severity for p in problems} == {"warning"}


def test_the_command_refuses_to_start_and_says_which(app, db):
    app.config.update(ENV_NAME="production", BASE_URL="http://localhost")
    try:
        result = app.test_cli_runner().invoke(args=["check-config", "--workers", "2"])
    finally:
        app.config.update(ENV_NAME="test", BASE_URL="http://salles.test")
    assert result.exit_code == 1
    assert "BASE_URL" in result.output
    assert "SECRET_KEY" in result.output


def test_the_environment_template_lists_every_setting_config_reads():
    source = (ROOT / "config.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_int|_bool)\(\s*"([A-Z_]+)"', source))
    template = (ROOT / "deploy/salles-ouvertes.env.example").read_text()
    listed = set(re.findall(r"^#?\s?([A-Z_]+)=", template, re.M))
    assert read - {"TEST_DATABASE_URL"} <= listed, sorted(read - listed)
