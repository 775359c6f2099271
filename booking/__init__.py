"""Salles Ouvertes: booking Brest's open videoconference rooms and makerspaces."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from booking import models  # noqa: F401 - every table known to the metadata
from booking.admin.views import bp as admin_bp
from booking.api.setup import init_api
from booking.approvals.views import bp as approvals_bp
from booking.auth.session import init_login
from booking.auth.views import bp as auth_bp
from booking.benchroutes import bp as bench_bp
from booking.bookings.checkin import periodic_jobs as checkin_jobs
from booking.calendars.views import bp as feeds_bp
from booking.cli import init_commands
from booking.core.errors import init_errors
from booking.core.headers import init_headers, init_ratelimit_headers
from booking.core.pool import install_quiet_socket_ping
from booking.core.retry import init_retry
from booking.core.sessions import CookielessPathsSessionInterface
from booking.core.views import bp as core_bp
from booking.door.views import bp as door_bp
from booking.extensions import babel, csrf, db, limiter, login_manager, migrate
from booking.formhtml import install as install_fast_form_html
from booking.i18n import select_locale, select_timezone, translation_directories
from booking.notifications import init_notifications
from booking.notifications.reminders import periodic_jobs as reminder_jobs
from booking.periodic import init_periodic
from booking.privacy.jobs import periodic_jobs as privacy_jobs
from booking.privacy.views import bp as privacy_bp
from booking.reservations import checkin_views  # noqa: F401 - its routes join reservations.bp
from booking.reservations.change import bp as changes_bp
from booking.reservations.views import bp as reservations_bp
from booking.resources.views import bp as resources_bp
from booking.schedule.views import bp as schedule_bp
from booking.sqlite import configure_sqlite
from booking.static_urls import init_static_urls
from booking.stats.views import bp as stats_bp
from booking.stats.views import open_bp as opendata_bp
from booking.templating import init_templating
from booking.widget.views import bp as widget_bp
from config import BASE_DIR, Config, config_from_env

ROOT = Path(BASE_DIR)
BLUEPRINTS = (
    core_bp,
    auth_bp,
    resources_bp,
    admin_bp,
    feeds_bp,
    schedule_bp,
    approvals_bp,
    reservations_bp,
    widget_bp,
    changes_bp,
    privacy_bp,
    stats_bp,
    opendata_bp,
    door_bp,
)


def create_app(config: type[Config] | None = None) -> Flask:
    """The application factory."""
    config = config or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    config.init_app(app)
    app.session_interface = CookielessPathsSessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # The client's address and scheme as the trusted proxies saw them (limits, logs).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    register_extensions(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if app.config.get("BENCH_ROUTES"):
        app.register_blueprint(bench_bp)  # the benchmark's ceiling route, never by default
    init_api(app)  # before init_errors: the app's error pages must win over flask-smorest's
    init_retry(app)  # after every blueprint: wraps each view
    init_errors(app)
    init_headers(app)
    init_notifications(app)
    init_commands(app)
    init_periodic(app, [*checkin_jobs(app), *reminder_jobs(app), *privacy_jobs(app)])
    return app


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A connection the server closed while idle in the pool is replaced at checkout.
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **options}
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        with app.app_context():
            install_quiet_socket_ping(db.engine)  # pre-ping without a round trip (issue 19)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(app, db.engine)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True
    )
    csrf.init_app(app)
    install_fast_form_html()  # WTForms' attributes, same HTML, less CPU (booking/formhtml.py)
    init_ratelimit_headers(app)  # before the limiter: runs after its headers are added
    limiter.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directories()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_login(app, login_manager)
    init_templating(app)
    init_static_urls(app)
