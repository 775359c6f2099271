"""Flask-Login wiring: loading the signed-in user, and ending sessions a password change voids."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user

from booking.auth.models import User, user_with_flags

_SESSION_KEY = "_password_mark"


def password_mark(user: User) -> str:
    """A keyed digest of the password hash: changes whenever the password does."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:20]


def remember_password(user: User) -> None:
    """Tie this session to the user's current password (at login, and after changing it here)."""
    session[_SESSION_KEY] = password_mark(user)


def forget_password() -> None:
    session.pop(_SESSION_KEY, None)


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = user_with_flags(int(user_id))
        return user if user is not None and user.is_active else None

    @app.before_request
    def _end_sessions_of_an_old_password() -> None:
        # A password changed elsewhere (reset link, another browser) logs this session out.
        mark = session.get(_SESSION_KEY)
        if mark is None:
            return
        if not current_user.is_authenticated or not hmac.compare_digest(
            mark, password_mark(current_user)
        ):
            logout_user()
            forget_password()
