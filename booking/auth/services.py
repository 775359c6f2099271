"""Account rules: authentication, sign-up, password changes."""

from __future__ import annotations

from booking.auth.models import User, user_by_email
from booking.db import utcnow


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, with the login time recorded; else None."""
    user = user_by_email(email)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user
