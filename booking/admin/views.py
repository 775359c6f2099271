"""Administration pages: administrators manage everything, managers their own resources."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms import (
    KIND_LABELS,
    ActionForm,
    AssociationForm,
    ClosureForm,
    DeactivateForm,
    EquipmentForm,
    GrantTrainingForm,
    OpeningHoursForm,
    ResourceEquipmentForm,
    ResourceForm,
    SearchForm,
    SiteForm,
    TrainingForm,
    UserRolesForm,
    WeeklyHoursForm,
    options,
)
from booking.admin.services import AdminError, AdminForbiddenError
from booking.auth.emails import send_association_validated
from booking.auth.models import Association, User, user_by_email
from booking.extensions import db
from booking.resources.hours import weekly_hours
from booking.resources.mediation import split_values
from booking.resources.models import (
    Closure,
    Equipment,
    OpeningHours,
    Resource,
    ResourceEquipment,
    Site,
    Training,
    UserTraining,
)
from booking.stats import opendata
from booking.timeutil import to_utc

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _only_managers() -> Response | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not queries.can_administer(current_user):
        abort(403)
    return None


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


def _search() -> tuple[SearchForm, str]:
    form = SearchForm(request.args)
    query = form.q.data if form.validate() and form.q.data else ""
    return form, query


MAX_ID = 2**31 - 1  # the largest integer key every database holds


def _get(model: type, object_id: int):
    found = db.session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def _show_error(form: FlaskForm, error: AdminError) -> None:
    """A domain error goes next to its field, or at the top of the page."""
    if isinstance(error, AdminForbiddenError):
        abort(403)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _done(message: str, endpoint: str, **values) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def _labels(form: FlaskForm) -> dict[str, str]:
    """Field names as the form's labels say them, for the history of changes."""
    return {name: field.label.text for name, field in form._fields.items()}


def _data(form: FlaskForm, *names: str) -> dict:
    return {name: getattr(form, name).data for name in names}


# --- Home ----------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html", counts=queries.dashboard_counts(current_user))


# --- Sites ---------------------------------------------------------------------------


@bp.get("/sites")
def sites() -> str:
    search, query = _search()
    page = queries.search_sites(current_user, query, _page())
    return render_template("admin/sites.html", page=page, search=search)


def _site_form_page(site: Site | None) -> str | Response:
    form = SiteForm(obj=site)
    if site is not None and not form.is_submitted():
        for name in services.SITE_VOCABULARIES:  # stored `|`-joined, edited as lists
            getattr(form, name).data = split_values(getattr(site, name))
    if form.validate_on_submit():
        values = _data(form, *services.SITE_FIELDS, "slug")
        for name in (
            "description",
            "transport",
            "accessibility_notes",
            "contact_email",
            "contact_phone",
            "website",
            "pivot",
            "postcode",
            "insee_code",
        ):
            values[name] = (values[name] or "").strip() or None
        for name in ("address", "neighbourhood", "city"):
            values[name] = (values[name] or "").strip()
        try:
            saved = services.save_site(current_user, site, values)
        except AdminError as error:
            _show_error(form, error)
        else:
            message = _("The place is saved.") if site else _("The place is created.")
            return _done(message, "admin.site_edit", site_id=saved.id)
    return render_template(
        "admin/site_form.html",
        form=form,
        site=site,
        delete_form=ActionForm(formdata=None),
        events=queries.history("site", site.id) if site else [],
        field_labels=_labels(form),
        mediation_missing=opendata.missing_fields_text(site) if site else "",
    )


@bp.route("/sites/new", methods=["GET", "POST"])
def site_new() -> str | Response:
    _admin_only()
    return _site_form_page(None)


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
def site_edit(site_id: int) -> str | Response:
    site = _get(Site, site_id)
    if not site.is_managed_by(current_user):
        abort(403)
    return _site_form_page(site)


@bp.post("/sites/<int:site_id>/delete")
def site_delete(site_id: int) -> Response:
    _admin_only()
    site = _get(Site, site_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_site(current_user, site)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.site_edit", site_id=site.id))
    return _done(_("The place is deleted."), "admin.sites")


# --- Opening hours (of a site or a resource) ------------------------------------------


def _week_data(ranges: list[OpeningHours]) -> dict:
    """The owner's ranges as the weekly form's data: the first two of each day."""
    days: list[dict] = []
    for day in weekly_hours(ranges):
        values: dict = {}
        for n, (opens, closes) in enumerate(day[:2], start=1):
            values[f"opens_{n}"], values[f"closes_{n}"] = opens, closes
        days.append(values)
    return {"days": days}


def _weekly_hours_post(
    week_form: WeeklyHoursForm, site: Site | None, resource: Resource | None
) -> Response | None:
    """The whole week in one form: copy Monday to Friday (shown again), or save it all."""
    if week_form.copy_weekdays.data:
        week_form.copy_monday()
        flash(_("Monday's hours are copied to Tuesday–Friday: save the week to keep them."), "info")
        return None
    if not week_form.validate_on_submit():
        return None
    try:
        services.set_weekly_hours(current_user, week_form.week(), site=site, resource=resource)
    except AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    if resource is not None:
        return _done(
            _("The opening hours are saved."), "admin.resource_hours", resource_id=resource.id
        )
    return _done(_("The opening hours are saved."), "admin.site_hours", site_id=site.id)


def _hours_page(site: Site | None, resource: Resource | None) -> str | Response:
    own = queries.opening_hours_of(site=site, resource=resource)
    weekly_post = request.method == "POST" and (
        "save_week" in request.form or "copy_weekdays" in request.form
    )
    # The week starts from the hours that apply: the resource's own, else its place's.
    applied = own or (queries.opening_hours_of(site=resource.site) if resource else [])
    week_form = WeeklyHoursForm(
        formdata=request.form if weekly_post else None, data=_week_data(applied)
    )
    form = OpeningHoursForm(formdata=None if weekly_post else request.form or None)
    if weekly_post:
        done = _weekly_hours_post(week_form, site, resource)
        if done is not None:
            return done
    elif form.validate_on_submit():
        try:
            for weekday in form.weekdays():  # "Monday to Friday": one range per day, all or none
                services.add_opening_hours(
                    current_user,
                    weekday=weekday,
                    opens_at=form.opens_at.data,
                    closes_at=form.closes_at.data,
                    site=site,
                    resource=resource,
                )
        except AdminError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if resource is not None:
                return _done(
                    _("Opening range added."), "admin.resource_hours", resource_id=resource.id
                )
            return _done(_("Opening range added."), "admin.site_hours", site_id=site.id)
    ranges = queries.opening_hours_of(site=site, resource=resource)
    # A resource without hours of its own follows its site's: show those.
    inherited = resource is not None and not ranges
    shown = queries.opening_hours_of(site=resource.site) if inherited else ranges
    return render_template(
        "admin/hours.html",
        form=form,
        week_form=week_form,
        site=site,
        resource=resource,
        ranges=ranges,
        inherited=inherited,
        week=weekly_hours(shown),
        delete_form=ActionForm(formdata=None),
    )


@bp.route("/sites/<int:site_id>/hours", methods=["GET", "POST"])
def site_hours(site_id: int) -> str | Response:
    site = _get(Site, site_id)
    if not site.is_managed_by(current_user):
        abort(403)
    return _hours_page(site, None)


@bp.route("/resources/<int:resource_id>/hours", methods=["GET", "POST"])
def resource_hours(resource_id: int) -> str | Response:
    resource = _get(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    return _hours_page(None, resource)


@bp.post("/hours/<int:hours_id>/delete")
def hours_delete(hours_id: int) -> Response:
    hours = _get(OpeningHours, hours_id)
    resource, site_id = hours.resource, hours.site_id
    site = db.session.get(Site, site_id) if site_id else None
    allowed = resource.can_manage(current_user) if resource else site.is_managed_by(current_user)
    if not allowed or not ActionForm().validate_on_submit():
        abort(403 if not allowed else 400)
    services.delete_opening_hours(current_user, hours)
    if resource is not None:
        return _done(_("Opening range removed."), "admin.resource_hours", resource_id=resource.id)
    return _done(_("Opening range removed."), "admin.site_hours", site_id=site_id)


# --- Resources -----------------------------------------------------------------------


@bp.get("/resources")
def resources() -> str:
    search, query = _search()
    site_id = request.args.get("site", type=int)
    if site_id is not None and not 0 < site_id <= MAX_ID:
        site_id = None
    kind = request.args.get("kind", "")
    page = queries.search_resources(current_user, query, site_id=site_id, kind=kind, page=_page())
    return render_template(
        "admin/resources.html",
        page=page,
        search=search,
        sites=queries.sites_with_manageable_resources(current_user),
        site_id=site_id,
        kind=kind,
        kinds=KIND_LABELS,
    )


def _resource_form(resource: Resource | None) -> ResourceForm:
    form = ResourceForm(obj=resource)
    if resource is not None and not form.is_submitted():
        form.kind.data = resource.kind.value
        form.checkin_by.data = str(resource.checkin_by)
        form.required_training_id.data = resource.required_training_id or 0
        form.trusted_ids.data = [a.id for a in resource.trusted_associations]
        form.manager_ids.data = [u.id for u in resource.managers]
    sites = db.session.scalars(select(Site).order_by(Site.name))
    form.site_id.choices = options((s.id, s.name) for s in sites)
    trainings = db.session.scalars(select(Training).order_by(Training.name))
    form.required_training_id.choices = options(
        [(0, _("None")), *((t.id, t.name) for t in trainings)]
    )
    associations = db.session.scalars(
        select(Association).where(Association.is_active.is_(True)).order_by(Association.name)
    )
    form.trusted_ids.choices = options((a.id, a.name) for a in associations)
    users = db.session.scalars(
        select(User).where(User.is_active_account.is_(True)).order_by(User.display_name)
    )
    form.manager_ids.choices = options((u.id, f"{u.display_name} <{u.email}>") for u in users)
    if not current_user.is_admin:
        # Managers change the rules of their resources, not where they are or who manages them.
        del form.site_id
        del form.manager_ids
    _equipment_lines(form)
    return form


EMPTY_LINES = 2  # blank equipment lines offered: several items in one go without JavaScript


def _equipment_lines(form: ResourceForm) -> None:
    """The equipment lines' choices, and blank lines to fill (one more on "add a line")."""
    if not form.is_submitted():
        for _n in range(EMPTY_LINES):
            form.equipment.append_entry()
    elif form.add_line.data:
        form.equipment.append_entry()
    catalogue = db.session.scalars(select(Equipment).order_by(Equipment.name))
    choices = options([(0, _("— none —")), *((e.id, e.name) for e in catalogue)])
    for n, line in enumerate(form.equipment, start=1):
        line.equipment_id.choices = choices
        # Each line's fields named with its number, for screen readers.
        line.equipment_id.label.text = _("Equipment, line %(num)d", num=n)
        line.quantity.label.text = _("Quantity, line %(num)d", num=n)
        line.remove.label.text = _("Remove line %(num)d", num=n)


def _resource_form_page(resource: Resource | None) -> str | Response:
    form = _resource_form(resource)
    if form.add_line.data:  # "add another line": the form again, one blank line more
        form.validate()
    elif form.validate_on_submit():
        names = [
            n for n in (*services.RESOURCE_FIELDS, "slug") if getattr(form, n, None) is not None
        ]
        values = _data(form, *names)
        values["description"] = (values["description"] or "").strip() or None
        try:
            saved = services.save_resource(
                current_user,
                resource,
                values,
                trusted_ids=form.trusted_ids.data or [],
                manager_ids=(form.manager_ids.data or []) if form.manager_ids is not None else None,
            )
            services.set_equipment_lines(current_user, saved, form.equipment_lines())
        except AdminError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            message = _("The resource is saved.") if resource else _("The resource is created.")
            return _done(message, "admin.resource_edit", resource_id=saved.id)
    return render_template(
        "admin/resource_form.html",
        events=queries.history("resource", resource.id) if resource else [],
        field_labels={
            **_labels(form),
            "trusted_associations": form.trusted_ids.label.text,
            "managers": _("Managers"),
        },
        form=form,
        resource=resource,
        delete_form=ActionForm(formdata=None),
        has_bookings=resource is not None and queries.resource_has_bookings(resource),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
def resource_new() -> str | Response:
    _admin_only()
    return _resource_form_page(None)


@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def resource_edit(resource_id: int) -> str | Response:
    resource = _get(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    return _resource_form_page(resource)


@bp.post("/resources/<int:resource_id>/delete")
def resource_delete(resource_id: int) -> Response:
    _admin_only()
    resource = _get(Resource, resource_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.delete_resource(current_user, resource):
        return _done(_("The resource is deleted."), "admin.resources")
    return _done(
        _("This resource has bookings, so it is kept for their history and is no longer bookable."),
        "admin.resource_edit",
        resource_id=resource.id,
    )


@bp.route("/resources/<int:resource_id>/equipment", methods=["GET", "POST"])
def resource_equipment(resource_id: int) -> str | Response:
    resource = _get(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    form = ResourceEquipmentForm()
    catalogue = list(db.session.scalars(select(Equipment).order_by(Equipment.name)))
    form.equipment_id.choices = options((e.id, e.name) for e in catalogue)
    if form.validate_on_submit():
        item = db.session.get(Equipment, form.equipment_id.data)
        try:
            services.set_resource_equipment(current_user, resource, item, form.quantity.data)
        except AdminError as error:
            _show_error(form, error)
        else:
            return _done(
                _("The equipment list is saved."),
                "admin.resource_equipment",
                resource_id=resource.id,
            )
    lines = sorted(resource.equipment, key=lambda line: line.equipment.name)
    return render_template(
        "admin/resource_equipment.html",
        form=form,
        resource=resource,
        lines=lines,
        delete_form=ActionForm(formdata=None),
    )


@bp.post("/resources/<int:resource_id>/equipment/<int:line_id>/delete")
def resource_equipment_delete(resource_id: int, line_id: int) -> Response:
    line = _get(ResourceEquipment, line_id)
    if line.resource_id != resource_id:
        abort(404)
    if not line.resource.can_manage(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_resource_equipment(current_user, line)
    return _done(_("The item is removed."), "admin.resource_equipment", resource_id=resource_id)


# --- Equipment catalogue -------------------------------------------------------------


@bp.get("/equipment")
def equipment() -> str:
    _admin_only()
    search, query = _search()
    return render_template(
        "admin/equipment.html", page=queries.search_equipment(query, _page()), search=search
    )


def _equipment_form_page(item: Equipment | None) -> str | Response:
    _admin_only()
    form = EquipmentForm(obj=item)
    if form.validate_on_submit():
        try:
            services.save_equipment(
                current_user, item, _data(form, "name", "name_en", "slug", "category")
            )
        except AdminError as error:
            _show_error(form, error)
        else:
            return _done(_("The catalogue is saved."), "admin.equipment")
    return render_template(
        "admin/equipment_form.html", form=form, item=item, delete_form=ActionForm(formdata=None)
    )


@bp.route("/equipment/new", methods=["GET", "POST"])
def equipment_new() -> str | Response:
    return _equipment_form_page(None)


@bp.route("/equipment/<int:equipment_id>", methods=["GET", "POST"])
def equipment_edit(equipment_id: int) -> str | Response:
    return _equipment_form_page(_get(Equipment, equipment_id))


@bp.post("/equipment/<int:equipment_id>/delete")
def equipment_delete(equipment_id: int) -> Response:
    _admin_only()
    item = _get(Equipment, equipment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_equipment(current_user, item)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.equipment_edit", equipment_id=item.id))
    return _done(_("The item is removed from the catalogue."), "admin.equipment")


# --- Closures ------------------------------------------------------------------------


# The .ics import page belongs to the feeds area; linked to when it is there.
IMPORT_ENDPOINTS = ("feeds.import_closures", "feeds.import_closures_page")


def _import_url() -> str | None:
    for endpoint in IMPORT_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return None


@bp.get("/closures")
def closures() -> str:
    search, query = _search()
    past = request.args.get("when") == "past"
    page = queries.search_closures(current_user, query, past=past, page=_page())
    return render_template(
        "admin/closures.html",
        page=page,
        search=search,
        past=past,
        may_manage=lambda closure: services.closure_may_be_managed(current_user, closure),
        import_url=_import_url(),
        delete_form=ActionForm(formdata=None),
    )


def _closure_targets() -> list:
    sites = db.session.scalars(queries.manageable_sites(current_user).order_by(Site.name))
    resources = db.session.scalars(
        queries.manageable_resources(current_user).order_by(Resource.name)
    )
    return [
        *options(((f"site-{s.id}", s.name) for s in sites), _("Places (all their resources)")),
        *options(((f"resource-{r.id}", r.name) for r in resources), _("Resources")),
    ]


@bp.route("/closures/new", methods=["GET", "POST"])
def closure_new() -> str | Response:
    form = ClosureForm()
    form.target.choices = _closure_targets()
    if not form.is_submitted() and request.args.get("target"):
        form.target.data = request.args["target"]
    if form.validate_on_submit():
        kind, _sep, raw_id = form.target.data.partition("-")
        site = db.session.get(Site, int(raw_id)) if kind == "site" else None
        resource = db.session.get(Resource, int(raw_id)) if kind == "resource" else None
        try:
            services.add_closure(
                current_user,
                label=form.label.data,
                start_at=to_utc(form.start_at.data),
                end_at=to_utc(form.end_at.data),
                site=site,
                resource=resource,
            )
        except AdminError as error:
            _show_error(form, error)
        else:
            return _done(_("The closure is saved."), "admin.closures")
    return render_template("admin/closure_form.html", form=form, import_url=_import_url())


@bp.post("/closures/<int:closure_id>/delete")
def closure_delete(closure_id: int) -> Response:
    closure = _get(Closure, closure_id)
    if not services.closure_may_be_managed(current_user, closure):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_closure(current_user, closure)
    return _done(_("The closure is deleted."), "admin.closures")


# --- Trainings -----------------------------------------------------------------------


@bp.get("/trainings")
def trainings() -> str:
    search, query = _search()
    page = queries.list_trainings(current_user, _page(), query)
    return render_template("admin/trainings.html", page=page, search=search)


def _training_form_page(training: Training | None) -> str | Response:
    # Managers see the trainings their resources require and record who holds them;
    # only administrators create or change a training.
    if training is None or request.method == "POST":
        _admin_only()
    elif not queries.may_grant_training(current_user, training):
        abort(403)
    form = TrainingForm(obj=training)
    if form.validate_on_submit():
        try:
            saved = services.save_training(
                current_user,
                training,
                _data(form, "name", "description", "validity_months", "contact", "next_session_on"),
            )
        except AdminError as error:
            _show_error(form, error)
        else:
            return _done(_("The training is saved."), "admin.training_edit", training_id=saved.id)
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
    return _training_form_page(_get(Training, training_id))


@bp.post("/trainings/<int:training_id>/grant")
def training_grant(training_id: int) -> str | Response:
    training = _get(Training, training_id)
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
                _show_error(grant_form, error)
            else:
                return _done(
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
    held = _get(UserTraining, held_id)
    if not queries.may_grant_training(current_user, held.training):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    training_id = held.training_id
    services.revoke_training(current_user, held)
    return _done(_("The training is withdrawn."), "admin.training_edit", training_id=training_id)


# --- Associations --------------------------------------------------------------------


@bp.get("/associations")
def associations() -> str:
    _admin_only()
    search, query = _search()
    state = request.args.get("state", "")
    if state not in queries.ASSOCIATION_STATES:
        state = ""
    page = queries.search_associations(query, state, _page())
    return render_template(
        "admin/associations.html",
        page=page,
        search=search,
        state=state,
        state_of=queries.association_state,
    )


def _association_page(association: Association, form: AssociationForm | None = None) -> str:
    return render_template(
        "admin/association.html",
        events=queries.history("association", association.id),
        field_labels=_labels(form or AssociationForm(formdata=None)),
        association=association,
        state=queries.association_state(association),
        form=form or AssociationForm(obj=association, formdata=None),
        action_form=ActionForm(formdata=None),
        deactivate_form=DeactivateForm(formdata=None),
        members=queries.association_members(association),
    )


@bp.route("/associations/<int:association_id>", methods=["GET", "POST"])
def association(association_id: int) -> str | Response:
    _admin_only()
    found = _get(Association, association_id)
    form = AssociationForm(obj=found)
    if form.validate_on_submit():
        try:
            services.update_association_contact(
                current_user,
                found,
                _data(form, "name", "contact_email", "registration_number", "description"),
            )
        except AdminError as error:
            _show_error(form, error)
        else:
            return _done(
                _("The association is saved."), "admin.association", association_id=found.id
            )
    return _association_page(found, form)


def _association_action(association_id: int, action) -> Response:
    _admin_only()
    found = _get(Association, association_id)
    form = DeactivateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = action(found, form)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.association", association_id=found.id))
    return _done(message, "admin.association", association_id=found.id)


@bp.post("/associations/<int:association_id>/validate")
def association_validate(association_id: int) -> Response:
    def act(found: Association, _form: DeactivateForm) -> str:
        services.validate_association(current_user, found)
        link = current_app.config["BASE_URL"].rstrip("/") + url_for("reservations.new")
        for membership in found.memberships:
            send_association_validated(membership.user, found, link)
        return _("The association is validated: its members can book.")

    return _association_action(association_id, act)


@bp.post("/associations/<int:association_id>/deactivate")
def association_deactivate(association_id: int) -> Response:
    def act(found: Association, form: DeactivateForm) -> str:
        services.deactivate_association(current_user, found, form.reason.data or "")
        return _("The association is deactivated: its members can no longer book.")

    return _association_action(association_id, act)


@bp.post("/associations/<int:association_id>/reactivate")
def association_reactivate(association_id: int) -> Response:
    def act(found: Association, _form: DeactivateForm) -> str:
        services.reactivate_association(current_user, found)
        return _("The association is active again.")

    return _association_action(association_id, act)


# --- Users ---------------------------------------------------------------------------

USER_ROLES = ("admin", "manager", "inactive")


@bp.get("/users")
def users() -> str:
    _admin_only()
    search, query = _search()
    role = request.args.get("role", "")
    if role not in USER_ROLES:
        role = ""
    return render_template(
        "admin/users.html",
        page=queries.search_users(query, role, _page()),
        search=search,
        role=role,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> str | Response:
    _admin_only()
    found = _get(User, user_id)
    form = UserRolesForm()
    resources = db.session.scalars(select(Resource).order_by(Resource.name))
    form.resource_ids.choices = options((r.id, r.name) for r in resources)
    sites = db.session.scalars(select(Site).order_by(Site.name))
    form.site_ids.choices = options((s.id, s.name) for s in sites)
    if not form.is_submitted():
        form.is_admin.data = found.is_admin
        form.is_active.data = found.is_active_account
        form.resource_ids.data = [r.id for r in found.managed_resources]
        form.site_ids.data = [s.id for s in found.managed_sites]
    if form.validate_on_submit():
        roles = services.UserRoles(
            is_admin=form.is_admin.data,
            is_active=form.is_active.data,
            resource_ids=form.resource_ids.data or [],
            site_ids=form.site_ids.data or [],
        )
        try:
            changed = services.update_user_roles(current_user, found, roles)
        except AdminError as error:
            _show_error(form, error)
        else:
            message = _("The roles are saved.") if changed else _("Nothing has changed.")
            return _done(message, "admin.user", user_id=found.id)
    memberships = sorted(found.memberships, key=lambda m: m.association.name)
    return render_template(
        "admin/user.html",
        form=form,
        user=found,
        memberships=memberships,
        events=queries.history("user", found.id),
    )


@bp.post("/users/<int:user_id>/sign-out")
def user_sign_out(user_id: int) -> Response:
    """Sign a user out on every device ("sign out everywhere")."""
    _admin_only()
    found = _get(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    count = services.sign_out_everywhere(current_user, found)
    return _done(
        ngettext("%(num)d device is signed out.", "%(num)d devices are signed out.", count),
        "admin.user",
        user_id=found.id,
    )
