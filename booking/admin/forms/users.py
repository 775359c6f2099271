"""The user form: roles and the sites and resources a manager manages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField


class UserRolesForm(FlaskForm):
    is_admin = BooleanField(_l("Administrator"))
    is_active = BooleanField(_l("Account active"))
    resource_ids = SelectMultipleField(_l("Manages these resources"), coerce=int)
    site_ids = SelectMultipleField(_l("Manages these places (all their resources)"), coerce=int)
