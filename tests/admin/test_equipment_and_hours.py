"""The equipment catalogue, each resource's equipment, and opening hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from booking.bookings.models import BookingEquipment
from booking.extensions import db as _db
from booking.resources.models import Equipment, OpeningHours, ResourceEquipment
from tests import factories
from tests.admin.conftest import actions


def make_item(name: str = "Caméra grand angle", slug: str = "camera") -> Equipment:
    item = Equipment(name=name, slug=slug, category="visio")
    _db.session.add(item)
    _db.session.flush()
    return item


def test_an_administrator_adds_an_item_to_the_catalogue(login, admin, db):
    db.session.commit()
    data = {"name": "Pieuvre de conférence", "slug": "", "category": "audio"}
    response = login(admin).post("/admin/equipment/new", data=data)
    assert response.status_code == 302
    item = db.session.scalar(select(Equipment))
    assert item.slug == "pieuvre-de-conference"
    assert actions("equipment", item.id) == [("created", admin.id)]


def test_duplicate_names_and_short_names_are_refused(login, admin, db):
    make_item()
    db.session.commit()
    client = login(admin)
    page = client.post(
        "/admin/equipment/new", data={"name": "caméra GRAND angle", "slug": "autre"}
    ).get_data(True)
    assert 'id="name-error"' in page
    page = client.post("/admin/equipment/new", data={"name": "Webcam", "slug": "camera"}).get_data(
        True
    )
    assert 'id="slug-error"' in page
    assert db.session.scalar(select(Equipment).where(Equipment.name == "Webcam")) is None


def test_an_item_in_use_stays_in_the_catalogue(login, admin, db):
    item = make_item()
    booking = factories.make_booking(
        factories.make_resource(),
        datetime(2030, 1, 7, 9, tzinfo=UTC),
        datetime(2030, 1, 7, 10, tzinfo=UTC),
    )
    db.session.add(BookingEquipment(booking_id=booking.id, equipment_id=item.id, quantity=1))
    db.session.commit()
    response = login(admin).post(f"/admin/equipment/{item.id}/delete", follow_redirects=True)
    assert "is kept" in response.get_data(as_text=True)
    assert db.session.get(Equipment, item.id) is not None


def test_an_unused_item_is_removed_from_the_catalogue(login, admin, db):
    item_id = make_item().id
    db.session.commit()
    assert login(admin).post(f"/admin/equipment/{item_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Equipment, item_id) is None


def test_the_catalogue_searches_by_category(login, admin, db):
    make_item()
    make_item("Vidéoprojecteur", "videoprojecteur").category = "affichage"
    db.session.commit()
    page = login(admin).get("/admin/equipment?q=affich").get_data(as_text=True)
    assert page.count('<th scope="row">') == 1
    assert "Vidéoprojecteur" in page


def test_a_manager_sets_the_equipment_of_their_resource(login, manager, own_resource, db):
    item = make_item()
    db.session.commit()
    client = login(manager)
    url = f"/admin/resources/{own_resource.id}/equipment"
    assert client.post(url, data={"equipment_id": item.id, "quantity": "2"}).status_code == 302
    assert client.post(url, data={"equipment_id": item.id, "quantity": "3"}).status_code == 302
    (line,) = own_resource.equipment
    assert line.quantity == 3
    assert [a for a, _ in actions("resource", own_resource.id)] == ["equipment_set"] * 2


def test_equipment_quantities_must_be_positive_whole_numbers(login, manager, own_resource, db):
    item = make_item()
    db.session.commit()
    client = login(manager)
    url = f"/admin/resources/{own_resource.id}/equipment"
    for bad in ("0", "-1", "deux", ""):
        page = client.post(url, data={"equipment_id": item.id, "quantity": bad}).get_data(True)
        assert 'id="quantity-error"' in page, bad
    page = client.post(url, data={"equipment_id": "999", "quantity": "1"}).get_data(True)
    assert 'id="equipment_id-error"' in page
    assert own_resource.equipment == []


def test_a_manager_removes_an_item_from_their_resource(login, manager, own_resource, db):
    item = make_item()
    line = ResourceEquipment(resource=own_resource, equipment=item, quantity=1)
    db.session.add(line)
    db.session.commit()
    url = f"/admin/resources/{own_resource.id}/equipment/{line.id}/delete"
    assert login(manager).post(url).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(ResourceEquipment)) is None


def test_equipment_of_another_resource_cannot_be_removed(login, manager, own_resource, db):
    other = factories.make_resource()
    line = ResourceEquipment(resource=other, equipment=make_item(), quantity=1)
    db.session.add(line)
    db.session.commit()
    client = login(manager)
    # Through its own resource's address, or the other's: both refused.
    assert (
        client.post(f"/admin/resources/{own_resource.id}/equipment/{line.id}/delete").status_code
        == 404
    )
    assert client.post(f"/admin/resources/{other.id}/equipment/{line.id}/delete").status_code == 403


def hours_of(resource) -> list[tuple[int, time, time]]:
    stmt = select(OpeningHours).where(OpeningHours.resource_id == resource.id)
    return sorted((h.weekday, h.opens_at, h.closes_at) for h in _db.session.scalars(stmt))


def test_a_day_may_have_several_opening_ranges(login, manager, own_resource, db):
    db.session.commit()
    client = login(manager)
    url = f"/admin/resources/{own_resource.id}/hours"
    for opens, closes in (("09:00", "12:00"), ("12:00", "14:00"), ("14:00", "18:30")):
        response = client.post(url, data={"weekday": "1", "opens_at": opens, "closes_at": closes})
        assert response.status_code == 302
    assert hours_of(own_resource) == [
        (1, time(9), time(12)),
        (1, time(12), time(14)),
        (1, time(14), time(18, 30)),
    ]
    assert [a for a, _ in actions("resource", own_resource.id)] == ["hours_added"] * 3


def test_an_inverted_opening_range_is_refused(login, manager, own_resource, db):
    db.session.commit()
    url = f"/admin/resources/{own_resource.id}/hours"
    for opens, closes in (("18:00", "09:00"), ("10:00", "10:00")):
        response = login(manager).post(
            url, data={"weekday": "0", "opens_at": opens, "closes_at": closes}
        )
        page = response.get_data(as_text=True)
        assert 'id="closes_at-error"' in page
        assert "must be after the opening time" in page
    assert hours_of(own_resource) == []


def test_an_overlapping_opening_range_is_refused(login, manager, own_resource, db):
    db.session.add(
        OpeningHours(resource_id=own_resource.id, weekday=2, opens_at=time(9), closes_at=time(12))
    )
    db.session.commit()
    url = f"/admin/resources/{own_resource.id}/hours"
    response = login(manager).post(
        url, data={"weekday": "2", "opens_at": "11:00", "closes_at": "15:00"}
    )
    page = response.get_data(as_text=True)
    assert 'id="opens_at-error"' in page
    assert "overlaps the range 09:00–12:00" in page
    assert hours_of(own_resource) == [(2, time(9), time(12))]


def test_the_same_range_on_another_day_is_fine(login, manager, own_resource, db):
    db.session.add(
        OpeningHours(resource_id=own_resource.id, weekday=2, opens_at=time(9), closes_at=time(12))
    )
    db.session.commit()
    data = {"weekday": "3", "opens_at": "09:00", "closes_at": "12:00"}
    assert (
        login(manager).post(f"/admin/resources/{own_resource.id}/hours", data=data).status_code
        == 302
    )


def test_bad_times_and_days_are_refused(login, manager, own_resource, db):
    db.session.commit()
    url = f"/admin/resources/{own_resource.id}/hours"
    client = login(manager)
    page = client.post(
        url, data={"weekday": "9", "opens_at": "09:00", "closes_at": "10:00"}
    ).get_data(True)
    assert 'id="weekday-error"' in page
    page = client.post(url, data={"weekday": "0", "opens_at": "9h", "closes_at": "10:00"}).get_data(
        True
    )
    assert 'id="opens_at-error"' in page
    assert hours_of(own_resource) == []


def test_site_hours_do_not_clash_with_a_resource_of_the_site(login, admin, own_resource, db):
    db.session.add(
        OpeningHours(resource_id=own_resource.id, weekday=4, opens_at=time(9), closes_at=time(12))
    )
    site = factories.make_site(hours={})
    db.session.commit()
    client = login(admin)
    data = {"weekday": "4", "opens_at": "10:00", "closes_at": "11:00"}
    assert client.post(f"/admin/sites/{site.id}/hours", data=data).status_code == 302
    assert actions("site", site.id) == [("hours_added", admin.id)]


def test_an_opening_range_is_removed(login, manager, own_resource, db):
    hours = OpeningHours(
        resource_id=own_resource.id, weekday=0, opens_at=time(9), closes_at=time(12)
    )
    db.session.add(hours)
    db.session.commit()
    assert login(manager).post(f"/admin/hours/{hours.id}/delete").status_code == 302
    db.session.expire_all()
    assert hours_of(own_resource) == []


def test_site_hours_cannot_be_removed_by_a_resource_manager(login, manager, own_resource, db):
    site_hours = own_resource.site.opening_hours[0]
    db.session.commit()
    assert login(manager).post(f"/admin/hours/{site_hours.id}/delete").status_code == 403


def test_a_resource_without_hours_shows_those_of_its_place(login, manager, own_resource, db):
    db.session.commit()
    page = login(manager).get(f"/admin/resources/{own_resource.id}/hours").get_data(True)
    assert "follows the opening hours of its place" in page
    assert f"Opening hours of {own_resource.site.name}" in page
    assert "8:00" in page


def test_equipment_gets_an_english_name(login, admin, db):
    db.session.commit()
    data = {"name": "Caméra grand angle", "name_en": "Wide-angle camera", "category": "visio"}
    assert login(admin).post("/admin/equipment/new", data=data).status_code == 302
    item = db.session.scalar(select(Equipment))
    assert (item.name, item.name_en) == ("Caméra grand angle", "Wide-angle camera")


def test_one_range_applies_to_monday_to_friday(login, manager, own_resource, db):
    db.session.commit()
    url = f"/admin/resources/{own_resource.id}/hours"
    data = {"weekday": "-1", "opens_at": "09:00", "closes_at": "18:00"}
    assert login(manager).post(url, data=data).status_code == 302
    assert hours_of(own_resource) == [(day, time(9), time(18)) for day in range(5)]


def test_monday_to_friday_adds_nothing_when_one_day_clashes(login, manager, own_resource, db):
    db.session.commit()
    client = login(manager)
    url = f"/admin/resources/{own_resource.id}/hours"
    client.post(url, data={"weekday": "2", "opens_at": "10:00", "closes_at": "11:00"})
    response = client.post(url, data={"weekday": "-1", "opens_at": "09:00", "closes_at": "18:00"})
    assert response.status_code != 302
    db.session.expire_all()
    assert hours_of(own_resource) == [(2, time(10), time(11))]
