"""Flask extensions, created unbound and initialised by the app factory."""

from flask import current_app
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from booking.db import Base
from booking.limiting import EndpointMemoLimiter

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Flask-Limiter, minus its per-request cost on endpoints without limits (booking/limiting.py).
limiter = EndpointMemoLimiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _limits_off_in_this_app() -> bool:
    """The limiter is one object for every app: honour each app's own RATELIMIT_ENABLED.

    (Flask-Limiter keeps the flag of the last app initialised, so an app built
    with limits on would otherwise turn them on for every other app in the process.)
    """
    return not current_app.config.get("RATELIMIT_ENABLED", True)
