"""Account pages for webhooks: register an address (secret shown once), remove it,
read its delivery log. Association administrators for their associations;
site administrators also for every booking."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from booking.api.forms import WebhookForm
from booking.api.webhooks import (
    EVENT_LABELS,
    Webhook,
    WebhookError,
    deliveries,
    register_webhook,
    remove_webhook,
    webhooks_for,
)
from booking.auth.models import Association
from booking.extensions import db

bp = Blueprint("api_webhooks", __name__, url_prefix="/account/webhooks")


def _associations() -> list[Association]:
    return sorted(
        (a for a in current_user.associations if current_user.is_association_admin(a)),
        key=lambda a: a.name.lower(),
    )


def _form() -> WebhookForm:
    form = WebhookForm()
    choices = [SelectChoice(str(a.id), a.name) for a in _associations()]
    if current_user.is_admin:
        choices.insert(0, SelectChoice("all", _("every booking (administrators)")))
    form.association.choices = choices
    return form


def _page(form: WebhookForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "api/webhooks.html",
        form=form,
        webhooks=webhooks_for(current_user),
        event_labels=EVENT_LABELS,
        remove_form=FlaskForm(),
        can_register=bool(form.association.choices),
    ), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page(_form())


@bp.post("/")
@login_required
def create() -> tuple[str, int]:
    form = _form()
    if not form.association.choices:
        abort(403)
    if not form.validate():
        return _page(form, 422)
    association = None
    if form.association.data != "all":
        association = db.session.get(Association, int(form.association.data))
    try:
        made = register_webhook(current_user, association, form.url.data, form.events.data)
    except WebhookError as error:
        target = form._fields.get(error.field or "", form.url)
        target.errors = [*target.errors, error.message]
        return _page(form, 422)
    webhook, secret = made.webhook, made.secret
    db.session.commit()
    return render_template("api/webhook_created.html", webhook=webhook, secret=secret), 201


def _managed(webhook_id: int) -> Webhook:
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None or not webhook.is_active or not webhook.can_manage(current_user):
        abort(404)
    return webhook


@bp.post("/<int:webhook_id>/remove")
@login_required
def remove(webhook_id: int) -> Response:
    if not FlaskForm().validate():
        abort(400)
    remove_webhook(current_user, _managed(webhook_id))
    db.session.commit()
    flash(_("The webhook is removed: nothing more is sent to it."), "success")
    return redirect(url_for(".index"))


@bp.get("/<int:webhook_id>/deliveries")
@login_required
def delivery_log(webhook_id: int) -> str:
    webhook = _managed(webhook_id)
    return render_template(
        "api/webhook_deliveries.html", webhook=webhook, deliveries=deliveries(webhook)
    )
