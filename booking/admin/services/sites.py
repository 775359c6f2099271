"""Site rules: create, edit and delete a site (administrators only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _

from booking.admin.services.common import AdminError, check_slug, require, save_audited, slugify
from booking.audit import record
from booking.auth.models import User
from booking.extensions import db
from booking.resources.mediation import ACCESS_MODES, FEES, SERVICES, join_values
from booking.resources.models import Site

SITE_FIELDS = (
    "name",
    "description",
    "address",
    "neighbourhood",
    "latitude",
    "longitude",
    "transport",
    "is_wheelchair_accessible",
    "accessibility_notes",
    "contact_email",
    "contact_phone",
    "website",
    "pivot",
    "city",
    "postcode",
    "insee_code",
    "services",
    "fees",
    "access_modes",
)


# Open-data fields holding `|`-separated values of the national schema's vocabularies.
SITE_VOCABULARIES = {"services": SERVICES, "fees": FEES, "access_modes": ACCESS_MODES}


def _check_coordinates(values: dict) -> None:
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        field = "longitude" if lon is None else "latitude"
        raise AdminError(_("Give both latitude and longitude, or neither."), field)
    if lat is not None and not -90 <= lat <= 90:
        raise AdminError(_("Latitude is between -90 and 90."), "latitude")
    if lon is not None and not -180 <= lon <= 180:
        raise AdminError(_("Longitude is between -180 and 180."), "longitude")


def save_site(actor: User, site: Site | None, values: dict) -> Site:
    """Create (administrators) or edit (administrators, the site's managers) a site."""
    require(actor.is_admin if site is None else site.is_managed_by(actor))
    values = {k: v for k, v in values.items() if k in (*SITE_FIELDS, "slug")}
    if not (values.get("name") or "").strip():
        raise AdminError(_("Give the place a name."), "name")
    slug = values.pop("slug", None) or slugify(values["name"])
    values["slug"] = check_slug(Site, slug, site.id if site else None)
    _check_coordinates(values)
    for name, vocabulary in SITE_VOCABULARIES.items():
        if name in values and not isinstance(values[name], str | None):
            values[name] = join_values(values[name], vocabulary)
    if "city" in values and not (values["city"] or "").strip():
        values["city"] = "Brest"
    return save_audited(actor, "site", Site, site, values)


def delete_site(actor: User, site: Site) -> None:
    """Delete an empty site; a site that still has resources is kept."""
    require(actor.is_admin)
    if site.resources:
        raise AdminError(
            _("This place still has resources: move or delete them before deleting the place.")
        )
    record("site", site.id, "deleted", actor_id=actor.id, reason=site.name)
    db.session.delete(site)
    db.session.flush()
