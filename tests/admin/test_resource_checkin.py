"""The resource form's check-in settings: required, grace period, who may check in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.resources.models import CheckinBy, Resource
from tests import factories
from tests.admin.test_resources import resource_data


def test_an_administrator_turns_check_in_on_with_its_settings(login, admin, db):
    site = factories.make_site()
    db.session.commit()
    data = resource_data(
        site, checkin_required="y", checkin_grace_minutes="20", checkin_by="managers"
    )
    response = login(admin).post("/admin/resources/new", data=data)
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert resource.checkin_required
    assert resource.checkin_grace_minutes == 20
    assert resource.checkin_by is CheckinBy.MANAGERS
    page = login(admin).get(f"/admin/resources/{resource.id}").text
    assert 'value="managers" selected' in page or 'selected value="managers"' in page
    assert "Grace period after the start (minutes)" in page


def test_check_in_is_off_by_default_with_15_minutes_for_members(login, admin, db):
    site = factories.make_site()
    db.session.commit()
    login(admin).post("/admin/resources/new", data=resource_data(site))
    resource = db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert not resource.checkin_required
    assert resource.checkin_grace_minutes == 15
    assert resource.checkin_by is CheckinBy.MEMBERS


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"checkin_grace_minutes": "-1"}, "checkin_grace_minutes", "cannot be negative"),
        ({"checkin_grace_minutes": "241"}, "checkin_grace_minutes", "at most 240"),
        ({"checkin_grace_minutes": "quinze"}, "checkin_grace_minutes", "integer"),
        ({"checkin_by": "everyone"}, "checkin_by", ""),
    ],
)
def test_bad_check_in_settings_are_shown_next_to_the_field(
    login, admin, db, changes, field, message
):
    site = factories.make_site()
    db.session.commit()
    response = login(admin).post("/admin/resources/new", data=resource_data(site, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert db.session.scalar(select(Resource)) is None
