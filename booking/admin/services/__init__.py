"""Administration rules, one module per object: sites, resources, equipment, opening hours,
closures, trainings, associations and users; `common` holds the errors and helpers they share.

Administrators manage everything. Managers (of a resource or of a site) manage
only their own resources: rules, equipment, opening hours and closures, and
record who holds the trainings their machines require. Every change is recorded
in the audit trail with the acting user. Services flush, never commit; the view
commits once. Read-side lists and "who manages what" live in `queries.py`.

This package re-exports the public rules, so callers write `services.save_site(...)`.
"""

from booking.admin.services.associations import (
    deactivate_association,
    reactivate_association,
    update_association_contact,
    validate_association,
)
from booking.admin.services.closures import add_closure, closure_may_be_managed, delete_closure
from booking.admin.services.common import (
    SLUG_RE,
    AdminError,
    AdminForbiddenError,
    slugify,
)
from booking.admin.services.equipment import (
    delete_equipment,
    remove_resource_equipment,
    save_equipment,
    set_equipment_lines,
    set_resource_equipment,
)
from booking.admin.services.hours import add_opening_hours, delete_opening_hours, set_weekly_hours
from booking.admin.services.resources import RESOURCE_FIELDS, delete_resource, save_resource
from booking.admin.services.sites import SITE_FIELDS, SITE_VOCABULARIES, delete_site, save_site
from booking.admin.services.trainings import grant_training, revoke_training, save_training
from booking.admin.services.users import UserRoles, sign_out_everywhere, update_user_roles

__all__ = [
    "RESOURCE_FIELDS",
    "SITE_FIELDS",
    "SITE_VOCABULARIES",
    "SLUG_RE",
    "AdminError",
    "AdminForbiddenError",
    "UserRoles",
    "add_closure",
    "add_opening_hours",
    "closure_may_be_managed",
    "deactivate_association",
    "delete_closure",
    "delete_equipment",
    "delete_opening_hours",
    "delete_resource",
    "delete_site",
    "grant_training",
    "reactivate_association",
    "remove_resource_equipment",
    "revoke_training",
    "save_equipment",
    "save_resource",
    "save_site",
    "save_training",
    "set_equipment_lines",
    "set_resource_equipment",
    "set_weekly_hours",
    "sign_out_everywhere",
    "slugify",
    "update_association_contact",
    "update_user_roles",
    "validate_association",
]
