"""Training pages: the trainings machines require, granting and revoking them."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import ActionForm
from booking.admin.forms.trainings import GrantTrainingForm, TrainingForm
from booking.admin.services import AdminError
from booking.admin.views.common import (
    admin_only,
    bp,
    commit_and_redirect,
    form_data,
    get_or_404,
    page_number,
    search_form,
    show_error,
)
from booking.auth.models import user_by_email
from booking.resources.models import Training, UserTraining


@bp.get("/trainings")
def trainings() -> str:
    search, query = search_form()
    page = queries.list_trainings(current_user, page_number(), query)
    return render_template("admin/trainings.html", page=page, search=search)


def _training_form_page(training: Training | None) -> str | Response:
    # Managers see the trainings their resources require and record who holds them;
    # only administrators create or change a training.
    if training is None or request.method == "POST":
        admin_only()
    elif not queries.may_grant_training(current_user, training):
        abort(403)
    form = TrainingForm(obj=training)
    if form.validate_on_submit():
        try:
            saved = services.save_training(
                current_user,
                training,
                form_data(
                    form, "name", "description", "validity_months", "contact", "next_session_on"
                ),
            )
        except AdminError as error:
            show_error(form, error)
        else:
            return commit_and_redirect(
                _("The training is saved."), "admin.training_edit", training_id=saved.id
            )
    holders = queries.training_holders(training) if training else []
    return render_template(
        "admin/training_form.html",
        form=form,
        training=training,
        holders=holders,
        grant_form=GrantTrainingForm(formdata=None),
        revoke_form=ActionForm(formdata=None),
    )


@bp.route("/trainings/new", methods=["GET", "POST"])
def training_new() -> str | Response:
    return _training_form_page(None)


@bp.route("/trainings/<int:training_id>", methods=["GET", "POST"])
def training_edit(training_id: int) -> str | Response:
    return _training_form_page(get_or_404(Training, training_id))


@bp.post("/trainings/<int:training_id>/grant")
def training_grant(training_id: int) -> str | Response:
    training = get_or_404(Training, training_id)
    if not queries.may_grant_training(current_user, training):
        abort(403)
    grant_form = GrantTrainingForm()
    if grant_form.validate_on_submit():
        user = user_by_email(grant_form.email.data)
        if user is None:
            grant_form.email.errors = [_("No account has this email address.")]
        else:
            try:
                services.grant_training(
                    current_user,
                    training,
                    user,
                    grant_form.obtained_on.data,
                    grant_form.expires_on.data,
                )
            except AdminError as error:
                show_error(grant_form, error)
            else:
                return commit_and_redirect(
                    _("%(name)s holds this training.", name=user.display_name),
                    "admin.training_edit",
                    training_id=training.id,
                )
    return render_template(
        "admin/training_form.html",
        form=TrainingForm(obj=training, formdata=None),
        training=training,
        holders=queries.training_holders(training),
        grant_form=grant_form,
        revoke_form=ActionForm(formdata=None),
    )


@bp.post("/user-trainings/<int:held_id>/revoke")
def training_revoke(held_id: int) -> Response:
    held = get_or_404(UserTraining, held_id)
    if not queries.may_grant_training(current_user, held.training):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    training_id = held.training_id
    services.revoke_training(current_user, held)
    return commit_and_redirect(
        _("The training is withdrawn."), "admin.training_edit", training_id=training_id
    )
