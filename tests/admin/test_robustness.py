"""Bad input never gives a 500; services refuse actors without the right; French first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.admin import services
from booking.admin.services import AdminForbiddenError
from booking.bookings.models import BookingSeries
from booking.resources.models import Resource, Site
from tests import factories
from tests.admin.test_resources import resource_data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "99999999999999999999"}, "capacity"),
        ({"max_duration_minutes": "100000000"}, "max_duration_minutes"),
        ({"horizon_days": "1e9"}, "horizon_days"),
        ({"min_notice_minutes": "12.5"}, "min_notice_minutes"),
    ],
)
def test_numbers_too_large_or_not_whole_are_refused(login, admin, db, changes, field):
    site = factories.make_site()
    db.session.commit()
    response = login(admin).post("/admin/resources/new", data=resource_data(site, **changes))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("latitude", ["nan", "inf", "1e400", "-91"])
def test_odd_coordinates_are_refused(login, admin, db, latitude):
    db.session.commit()
    data = {"name": "Lieu", "latitude": latitude, "longitude": "-4.48"}
    response = login(admin).post("/admin/sites/new", data=data)
    assert response.status_code == 200
    assert 'id="latitude-error"' in response.get_data(as_text=True)
    assert db.session.query(Site).count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/resources?page=99999999999999999999999",
        "/admin/resources?page=-3",
        "/admin/resources?site=99999999999999999999&kind=machine",
        "/admin/users?role=%00",
        "/admin/closures?q=" + "x" * 500,
        "/admin/associations?q=%25%5F%5C",
    ],
)
def test_odd_list_addresses_still_answer(login, admin, db, url):
    db.session.commit()
    assert login(admin).get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/admin/resources/99999999999999999999", "/admin/sites/99999999999999999999/hours"]
)
def test_huge_identifiers_are_not_found(login, admin, db, url):
    db.session.commit()
    assert login(admin).get(url).status_code == 404


def test_a_resource_with_only_a_series_is_kept(login, admin, db):
    resource = factories.make_resource()
    db.session.add(
        BookingSeries(
            resource_id=resource.id,
            association_id=factories.make_association().id,
            rule="FREQ=WEEKLY;COUNT=3",
            first_start_local=datetime(2030, 3, 4, 18),
            duration_minutes=60,
            title="Répétition",
        )
    )
    db.session.commit()
    assert login(admin).post(f"/admin/resources/{resource.id}/delete").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Resource, resource.id).is_bookable


def test_services_refuse_actors_without_the_right(db, manager, own_resource, other_resource):
    with pytest.raises(AdminForbiddenError):
        services.save_site(manager, None, {"name": "Nouveau lieu"})
    with pytest.raises(AdminForbiddenError):
        services.save_resource(manager, other_resource, {"name": "Pris", "kind": "room"})
    with pytest.raises(AdminForbiddenError):
        services.delete_resource(manager, own_resource)
    with pytest.raises(AdminForbiddenError):
        services.add_closure(
            manager,
            label="Non",
            start_at=datetime(2030, 1, 1, tzinfo=UTC),
            end_at=datetime(2030, 1, 2, tzinfo=UTC),
            resource=other_resource,
        )
    roles = services.UserRoles(is_admin=True, is_active=True, resource_ids=[], site_ids=[])
    with pytest.raises(AdminForbiddenError):
        services.update_user_roles(manager, manager, roles)
    assert not manager.is_admin
    assert db.session.get(Resource, own_resource.id) is not None


def test_the_administration_speaks_french_first(login, db):
    french_manager = factories.make_user(locale="fr")
    resource = factories.make_resource(managers=[french_manager])
    db.session.commit()
    client = login(french_manager)
    page = client.get("/admin/resources").get_data(as_text=True)
    assert "Ressources que vous gérez" in page
    data = resource_data(resource.site, slug=resource.slug, min_duration_minutes="90")
    data["max_duration_minutes"] = "60"
    page = client.post(f"/admin/resources/{resource.id}", data=data).get_data(as_text=True)
    assert "La durée maximale doit être au moins égale à la durée minimale." in page
