"""The privacy page, the accessibility statement, "my data" and account deletion."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from booking.auth.services import AccountError
from booking.db import utcnow
from booking.extensions import db
from booking.privacy.erasure import delete_account
from booking.privacy.export import user_data
from booking.privacy.forms import DeleteAccountForm
from booking.privacy.retention import RetentionPolicy

bp = Blueprint("privacy", __name__)


@dataclass(frozen=True)
class ComplianceStatus:
    label: object
    sentence: object


# The legal wording of the three statuses (RGAA: totalement / partiellement / non conforme).
COMPLIANCE = {
    "full": ComplianceStatus(
        _l("Accessibility: fully compliant"),
        _l(
            "Salles Ouvertes is fully compliant with the French accessibility framework RGAA, version 4.1.2."
        ),
    ),
    "partial": ComplianceStatus(
        _l("Accessibility: partially compliant"),
        _l(
            "Salles Ouvertes is partially compliant with the French accessibility framework "
            "RGAA, version 4.1.2, because of the non-compliances listed below."
        ),
    ),
    "none": ComplianceStatus(
        _l("Accessibility: not compliant"),
        _l(
            "Salles Ouvertes is not compliant with the French accessibility framework RGAA, "
            "version 4.1.2: no complete evaluation has been made yet."
        ),
    ),
}


@bp.app_context_processor
def _accessibility_status() -> dict[str, ComplianceStatus]:
    """The footer of every page links to the statement with the status in words."""
    status = current_app.config.get("ACCESSIBILITY_STATUS", "partial")
    return {"accessibility_status": COMPLIANCE.get(status, COMPLIANCE["none"])}


NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/confidentialite")
def privacy() -> str:
    return render_template(
        "privacy/privacy.html", policy=RetentionPolicy.from_config(current_app.config)
    )


@bp.get("/accessibilite")
def accessibility() -> str:
    return render_template("privacy/accessibility.html")


@bp.get("/account/my-data")
@login_required
def my_data() -> tuple[str, int, dict]:
    page = render_template("privacy/my_data.html", data=user_data(current_user))
    return page, 200, NO_STORE


@bp.get("/account/my-data.json")
@login_required
def my_data_json() -> Response:
    data = {"exported_at": utcnow().isoformat(), **user_data(current_user)}
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"salles-ouvertes-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete() -> str | Response:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            delete_account(current_user._get_current_object(), form.password.data)
        except AccountError as error:
            form.password.errors = [*form.password.errors, str(error.message)]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Your association keeps its bookings, anonymised."))
            return redirect(url_for("core.home"))
    return render_template("privacy/delete.html", form=form), 200, NO_STORE
