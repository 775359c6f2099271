"""Resources and their booking rules; deleting is avoided when history matters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from booking.audit import trail
from booking.resources.models import Resource, ResourceKind, Training
from tests import factories
from tests.admin.conftest import actions


def resource_data(site, **changes) -> dict:
    data = {
        "site_id": str(site.id),
        "kind": "visio_room",
        "name": "Salle Iroise",
        "slug": "salle-iroise",
        "description": "Salle de visioconférence au rez-de-chaussée.",
        "capacity": "10",
        "is_bookable": "y",
        "requires_approval": "y",
        "min_duration_minutes": "30",
        "max_duration_minutes": "240",
        "slot_step_minutes": "30",
        "horizon_days": "180",
        "min_notice_minutes": "60",
        "required_training_id": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_creates_a_resource_with_its_rules(login, admin, db):
    site = factories.make_site()
    training = Training(name="Sécurité laser")
    db.session.add(training)
    trusted = factories.make_association()
    manager = factories.make_user()
    db.session.commit()
    data = resource_data(
        site,
        kind="machine",
        requires_approval=None,
        fixed_slots="y",
        required_training_id=str(training.id),
        trusted_ids=[str(trusted.id)],
        manager_ids=[str(manager.id)],
    )
    response = login(admin).post("/admin/resources/new", data=data)
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert resource.kind is ResourceKind.MACHINE
    assert not resource.requires_approval
    assert resource.fixed_slots
    assert resource.required_training_id == training.id
    assert resource.trusted_associations == [trusted]
    assert resource.managers == [manager]
    assert resource.can_approve(manager)
    assert actions("resource", resource.id) == [("created", admin.id)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": "dix"}, "capacity", "integer"),
        ({"capacity": "0"}, "capacity", "at least 1"),
        (
            {"min_duration_minutes": "120", "max_duration_minutes": "60"},
            "max_duration_minutes",
            "at least the minimum",
        ),
        ({"slot_step_minutes": "0"}, "slot_step_minutes", "at least 1 minute"),
        ({"horizon_days": ""}, "horizon_days", "whole number"),
        ({"min_notice_minutes": "-5"}, "min_notice_minutes", "cannot be negative"),
        ({"slug": "Salle Iroise"}, "slug", "lowercase letters"),
        ({"name": ""}, "name", "Give the resource a name"),
        ({"kind": "spaceship"}, "kind", ""),
        ({"site_id": "abc"}, "site_id", ""),
        ({"required_training_id": "999"}, "required_training_id", ""),
    ],
)
def test_bad_input_is_shown_next_to_the_field(login, admin, db, changes, field, message):
    site = factories.make_site()
    db.session.commit()
    response = login(admin).post("/admin/resources/new", data=resource_data(site, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert db.session.scalar(select(Resource)) is None


def test_a_duplicate_short_name_is_refused(login, admin, db):
    factories.make_resource(slug="salle-iroise")
    site = factories.make_site()
    db.session.commit()
    response = login(admin).post("/admin/resources/new", data=resource_data(site))
    page = response.get_data(as_text=True)
    assert 'id="slug-error"' in page
    assert "already used" in page


def test_a_resource_keeps_its_own_short_name_when_edited(login, admin, own_resource, db):
    db.session.commit()
    data = resource_data(own_resource.site, slug="salle-du-port", capacity="20")
    response = login(admin).post(f"/admin/resources/{own_resource.id}", data=data)
    assert response.status_code == 302
    assert own_resource.capacity == 20
    (event,) = trail("resource", [own_resource.id])
    assert (event.action, event.actor_id) == ("updated", admin.id)
    assert "capacity" in event.reason.split(", ")
    assert "min_duration_minutes" not in event.reason.split(", ")


def test_a_manager_changes_the_rules_of_their_resource(login, manager, own_resource, db):
    other_site = factories.make_site()
    intruder = factories.make_user()
    db.session.commit()
    original_site = own_resource.site_id
    data = resource_data(
        other_site,
        slug="salle-du-port",
        max_duration_minutes="120",
        manager_ids=[str(intruder.id)],
    )
    response = login(manager).post(f"/admin/resources/{own_resource.id}", data=data)
    assert response.status_code == 302
    assert own_resource.max_duration_minutes == 120
    # Where it is and who manages it stay the administrators' business.
    assert own_resource.site_id == original_site
    assert own_resource.managers == [manager]


def test_the_edit_form_shows_managers_only_to_administrators(login, manager, own_resource, db):
    db.session.commit()
    page = login(manager).get(f"/admin/resources/{own_resource.id}").get_data(as_text=True)
    assert 'name="manager_ids"' not in page
    assert 'name="site_id"' not in page
    assert 'name="min_duration_minutes"' in page


def test_a_resource_never_booked_is_deleted(login, admin, db):
    resource = factories.make_resource()
    resource_id = resource.id
    db.session.commit()
    response = login(admin).post(f"/admin/resources/{resource_id}/delete")
    assert response.headers["Location"].endswith("/admin/resources")
    db.session.expire_all()
    assert db.session.get(Resource, resource_id) is None
    assert actions("resource", resource_id) == [("deleted", admin.id)]


def test_a_booked_resource_is_made_non_bookable_instead_of_deleted(login, admin, db):
    resource = factories.make_resource()
    factories.make_booking(
        resource, datetime(2030, 3, 4, 9, tzinfo=UTC), datetime(2030, 3, 4, 10, tzinfo=UTC)
    )
    db.session.commit()
    response = login(admin).post(f"/admin/resources/{resource.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Resource, resource.id)
    assert kept is not None
    assert not kept.is_bookable
    assert actions("resource", resource.id) == [("withdrawn", admin.id)]


def test_managers_cannot_delete_resources(login, manager, own_resource, db):
    db.session.commit()
    assert login(manager).post(f"/admin/resources/{own_resource.id}/delete").status_code == 403
    assert db.session.get(Resource, own_resource.id) is not None


def test_the_list_filters_by_place_kind_and_name(login, admin, db):
    site = factories.make_site(name="Fabrique")
    factories.make_resource(site, kind="machine", name="Découpeuse laser")
    factories.make_resource(site, kind="open_lab", name="Atelier ouvert")
    factories.make_resource(name="Salle Océane")
    db.session.commit()
    client = login(admin)

    def rows(url: str) -> int:
        return client.get(url).get_data(as_text=True).count('<th scope="row">')

    assert rows("/admin/resources") == 3
    assert rows(f"/admin/resources?site={site.id}") == 2
    assert rows(f"/admin/resources?site={site.id}&kind=machine") == 1
    assert rows("/admin/resources?q=oc%C3%A9") == 1
    assert rows("/admin/resources?q=100%25") == 0
    assert rows("/admin/resources?kind=nonsense") == 3


def test_the_list_paginates_25_per_page(login, admin, db):
    site = factories.make_site()
    for n in range(27):
        factories.make_resource(site, name=f"Poste {n:02d}")
    db.session.commit()
    client = login(admin)
    first = client.get("/admin/resources").get_data(as_text=True)
    assert first.count('<th scope="row">') == 25
    assert "Poste 24" in first
    assert 'rel="next"' in first
    last = client.get("/admin/resources?page=2").get_data(as_text=True)
    assert last.count('<th scope="row">') == 2
    assert 'rel="prev"' in last
    assert client.get("/admin/resources?page=9").status_code == 200


def test_the_resource_page_shows_its_history_in_words(login, admin, own_resource, db):
    db.session.commit()
    client = login(admin)
    data = resource_data(own_resource.site, slug="salle-du-port", capacity="20")
    client.post(f"/admin/resources/{own_resource.id}", data=data)
    page = client.get(f"/admin/resources/{own_resource.id}").get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert "Changed" in history
    assert "Capacity (people, or seats of a session)" in history
    assert "Admin" in history


def test_an_open_lab_gets_its_limit_of_seats_per_person(login, admin, db):
    site = factories.make_site()
    db.session.commit()
    data = resource_data(site, kind="open_lab", capacity="12", max_seats_per_person="2")
    assert login(admin).post("/admin/resources/new", data=data).status_code == 302
    resource = db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert resource.max_seats_per_person == 2


def test_a_limit_of_seats_left_empty_is_one(login, admin, db):
    site = factories.make_site()
    db.session.commit()
    login(admin).post("/admin/resources/new", data=resource_data(site, kind="open_lab"))
    resource = db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert resource.max_seats_per_person == 1
