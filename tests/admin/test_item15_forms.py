"""Issue 13, item 15: several equipment lines in the resource form, the whole week of
opening hours in one form ("apply Monday to Monday–Friday"), managers and trusted
associations as checkbox lists, and a resource without hours said not bookable yet."""

from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from booking.extensions import db as _db
from booking.resources.models import Equipment, OpeningHours, Resource, ResourceEquipment
from tests import factories
from tests.admin.conftest import actions
from tests.admin.test_resources import resource_data


def _catalogue(*names: str) -> list[Equipment]:
    items = [Equipment(name=name, slug=name.lower()) for name in names]
    _db.session.add_all(items)
    _db.session.flush()
    return items


def _lines(resource) -> list[tuple[str, int]]:
    stmt = (
        select(Equipment.name, ResourceEquipment.quantity)
        .join(ResourceEquipment.equipment)
        .where(ResourceEquipment.resource_id == resource.id)
        .order_by(Equipment.name)
    )
    return [tuple(row) for row in _db.session.execute(stmt)]


def _edit_data(resource, **changes) -> dict:
    data = resource_data(resource.site, name=resource.name, slug=resource.slug)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# Equipment lines ---------------------------------------------------------------------


def test_the_resource_form_offers_blank_equipment_lines_without_javascript(
    login, admin, own_resource, db
):
    _catalogue("Caméra", "Écran")
    db.session.commit()
    page = login(admin).get(f"/admin/resources/{own_resource.id}").get_data(as_text=True)
    assert 'name="equipment-0-equipment_id"' in page
    assert 'name="equipment-1-equipment_id"' in page
    assert 'name="equipment-2-equipment_id"' not in page
    assert "Equipment, line 2" in page
    assert 'name="add_line"' in page


def test_several_equipment_lines_are_saved_in_one_go(login, admin, own_resource, db):
    camera, screen = _catalogue("Caméra", "Écran")
    db.session.commit()
    data = _edit_data(
        own_resource,
        **{
            "equipment-0-equipment_id": str(camera.id),
            "equipment-0-quantity": "2",
            "equipment-1-equipment_id": str(screen.id),
            "equipment-1-quantity": "1",
            "equipment-2-equipment_id": "0",  # a blank line: ignored
            "equipment-2-quantity": "1",
        },
    )
    response = login(admin).post(f"/admin/resources/{own_resource.id}", data=data)
    assert response.status_code == 302
    assert _lines(own_resource) == [("Caméra", 2), ("Écran", 1)]
    assert [a for a, _ in actions("resource", own_resource.id)].count("equipment_set") == 2


def test_a_line_marked_remove_or_left_out_is_taken_off(login, admin, own_resource, db):
    camera, screen = _catalogue("Caméra", "Écran")
    _db.session.add_all(
        [
            ResourceEquipment(resource_id=own_resource.id, equipment_id=camera.id, quantity=1),
            ResourceEquipment(resource_id=own_resource.id, equipment_id=screen.id, quantity=1),
        ]
    )
    db.session.commit()
    data = _edit_data(
        own_resource,
        **{
            "equipment-0-equipment_id": str(camera.id),
            "equipment-0-quantity": "3",
            "equipment-1-equipment_id": str(screen.id),
            "equipment-1-quantity": "1",
            "equipment-1-remove": "y",
        },
    )
    assert login(admin).post(f"/admin/resources/{own_resource.id}", data=data).status_code == 302
    assert _lines(own_resource) == [("Caméra", 3)]


def test_the_same_item_on_two_lines_is_a_form_error(login, admin, own_resource, db):
    (camera,) = _catalogue("Caméra")
    db.session.commit()
    data = _edit_data(
        own_resource,
        **{
            "equipment-0-equipment_id": str(camera.id),
            "equipment-0-quantity": "1",
            "equipment-1-equipment_id": str(camera.id),
            "equipment-1-quantity": "2",
        },
    )
    response = login(admin).post(f"/admin/resources/{own_resource.id}", data=data)
    assert response.status_code == 200
    assert "Each item of equipment goes on one line only." in response.get_data(as_text=True)
    assert _lines(own_resource) == []


def test_add_another_line_shows_the_form_again_with_one_more_line_and_saves_nothing(
    login, admin, own_resource, db
):
    (camera,) = _catalogue("Caméra")
    db.session.commit()
    data = _edit_data(
        own_resource,
        name="Salle renommée",
        add_line="Add another equipment line",
        **{
            "equipment-0-equipment_id": str(camera.id),
            "equipment-0-quantity": "2",
            "equipment-1-equipment_id": "0",
            "equipment-1-quantity": "1",
        },
    )
    response = login(admin).post(f"/admin/resources/{own_resource.id}", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="equipment-2-equipment_id"' in page
    assert 'value="Salle renommée"' in page  # what was typed is kept
    assert re.search(rf'<option selected value="{camera.id}">Caméra</option>', page)
    _db.session.expire_all()
    assert own_resource.name == "Salle du port"
    assert _lines(own_resource) == []


def test_a_new_resource_is_created_with_its_equipment_lines(login, admin, db):
    site = factories.make_site()
    (camera,) = _catalogue("Caméra")
    db.session.commit()
    data = resource_data(
        site, **{"equipment-0-equipment_id": str(camera.id), "equipment-0-quantity": "4"}
    )
    response = login(admin).post("/admin/resources/new", data=data)
    assert response.status_code == 302
    resource = _db.session.scalar(select(Resource).where(Resource.slug == "salle-iroise"))
    assert _lines(resource) == [("Caméra", 4)]


# Checkbox lists ------------------------------------------------------------------------


def test_managers_and_trusted_associations_are_checkbox_lists_with_a_filter_box(
    login, admin, own_resource, manager, db
):
    factories.make_association("Les Amis du Vélo")
    db.session.commit()
    page = login(admin).get(f"/admin/resources/{own_resource.id}").get_data(as_text=True)
    assert "<select multiple" not in page
    assert "Hold Ctrl" not in page
    assert re.search(r'<input[^>]*name="manager_ids"[^>]*type="checkbox"[^>]*checked', page) or (
        re.search(r'<input checked[^>]*name="manager_ids"[^>]*type="checkbox"', page)
    )
    assert re.search(r'<input[^>]*name="trusted_ids"[^>]*type="checkbox"', page)
    # The filter box is there for the script to show; without JavaScript, the whole list.
    assert '<p class="checklist-filter" hidden>' in page
    assert 'data-filter-for="manager_ids"' in page


# The whole week ------------------------------------------------------------------------


def _week(**days) -> dict:
    """The weekly form's fields: days={0: ("09:00", "12:00", "14:00", "18:00"), ...}."""
    data = {}
    for n in range(7):
        values = days.get(f"d{n}", ("", "", "", ""))
        for name, value in zip(("opens_1", "closes_1", "opens_2", "closes_2"), values, strict=True):
            data[f"days-{n}-{name}"] = value
    return data


def _hours(resource) -> list[tuple[int, time, time]]:
    stmt = select(OpeningHours).where(OpeningHours.resource_id == resource.id)
    return sorted((h.weekday, h.opens_at, h.closes_at) for h in _db.session.scalars(stmt))


def test_the_whole_week_is_saved_in_one_form_and_replaces_the_ranges(
    login, manager, own_resource, db
):
    _db.session.add(
        OpeningHours(resource_id=own_resource.id, weekday=6, opens_at=time(10), closes_at=time(11))
    )
    db.session.commit()
    data = _week(d0=("09:00", "12:00", "14:00", "18:00"), d5=("10:00", "13:00", "", ""))
    data["save_week"] = "Save the week"
    response = login(manager).post(f"/admin/resources/{own_resource.id}/hours", data=data)
    assert response.status_code == 302
    assert _hours(own_resource) == [
        (0, time(9), time(12)),
        (0, time(14), time(18)),
        (5, time(10), time(13)),
    ]


def test_monday_is_applied_to_monday_to_friday_then_saved(login, manager, own_resource, db):
    db.session.commit()
    client = login(manager)
    url = f"/admin/resources/{own_resource.id}/hours"
    data = _week(d0=("09:00", "12:30", "13:30", "21:00"), d5=("09:00", "12:30", "", ""))
    data["copy_weekdays"] = "Apply Monday's hours to Monday–Friday"
    response = client.post(url, data=data)
    assert response.status_code == 200  # shown again, nothing saved yet
    page = response.get_data(as_text=True)
    for day in range(5):
        assert re.search(rf'id="days-{day}-opens_2"[^>]*value="13:30"', page), day
    assert re.search(r'id="days-5-opens_1"[^>]*value="09:00"', page)
    assert not re.search(r'id="days-6-opens_1"[^>]*value="09', page)
    assert _hours(own_resource) == []
    # Sent again as shown, with "Save the week".
    saved = _week(
        **{f"d{n}": ("09:00", "12:30", "13:30", "21:00") for n in range(5)},
        d5=("09:00", "12:30", "", ""),
    )
    saved["save_week"] = "Save the week"
    assert client.post(url, data=saved).status_code == 302
    assert len(_hours(own_resource)) == 11


def test_a_wrong_time_in_the_week_is_shown_on_its_field_and_nothing_is_saved(
    login, manager, own_resource, db
):
    _db.session.add(
        OpeningHours(resource_id=own_resource.id, weekday=2, opens_at=time(8), closes_at=time(9))
    )
    db.session.commit()
    data = _week(d0=("18:00", "09:00", "", ""), d1=("09:00", "12:00", "11:00", "15:00"))
    data["save_week"] = "Save the week"
    response = login(manager).post(f"/admin/resources/{own_resource.id}/hours", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="days-0-closes_1-error"' in page
    assert "The closing time must be after the opening time." in page
    assert 'id="days-1-opens_2-error"' in page
    assert _hours(own_resource) == [(2, time(8), time(9))]


def test_the_week_starts_from_the_hours_of_the_place_when_the_resource_has_none(
    login, manager, own_resource, db
):
    db.session.commit()  # the factory's place: 08:00-22:00 every day
    page = login(manager).get(f"/admin/resources/{own_resource.id}/hours").get_data(as_text=True)
    assert re.search(r'id="days-6-opens_1"[^>]*value="08:00"', page)
    assert re.search(r'id="days-6-closes_1"[^>]*value="22:00"', page)


# No hours: not bookable yet -------------------------------------------------------------


def test_the_admin_page_says_a_resource_without_hours_cannot_be_booked_yet(login, admin, db):
    site = factories.make_site(hours={})
    resource = factories.make_resource(site)
    db.session.commit()
    page = login(admin).get(f"/admin/resources/{resource.id}").get_data(as_text=True)
    assert "This resource cannot be booked yet: add its opening hours." in page
    _db.session.add(
        OpeningHours(resource_id=resource.id, weekday=0, opens_at=time(9), closes_at=time(12))
    )
    db.session.commit()
    page = login(admin).get(f"/admin/resources/{resource.id}").get_data(as_text=True)
    assert "cannot be booked yet" not in page
