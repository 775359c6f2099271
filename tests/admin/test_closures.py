"""Closures: entered in local time, stored in UTC, listed upcoming first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from booking.admin import queries
from booking.admin.views.closures import IMPORT_ENDPOINTS
from booking.extensions import db as _db
from booking.resources.models import Closure
from tests import factories
from tests.admin.conftest import actions

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)


def closure(label: str, start: datetime, end: datetime, *, site=None, resource=None) -> Closure:
    item = Closure(
        label=label,
        start_at=start,
        end_at=end,
        site_id=site.id if site else None,
        resource_id=resource.id if resource else None,
    )
    _db.session.add(item)
    _db.session.flush()
    return item


def test_a_closure_entered_in_local_time_is_stored_in_utc(login, manager, own_resource, db):
    db.session.commit()
    data = {
        "target": f"resource-{own_resource.id}",
        "label": "Maintenance",
        "start_at": "2030-01-15T09:00",  # winter: UTC+1
        "end_at": "2030-07-15T18:00",  # summer: UTC+2
    }
    response = login(manager).post("/admin/closures/new", data=data)
    assert response.status_code == 302
    saved = db.session.scalar(select(Closure))
    assert saved.start_at == datetime(2030, 1, 15, 8, tzinfo=UTC)
    assert saved.end_at == datetime(2030, 7, 15, 16, tzinfo=UTC)
    assert saved.resource_id == own_resource.id
    assert saved.created_by_id == manager.id
    assert actions("closure", saved.id) == [("created", manager.id)]


def test_a_closure_may_cover_a_whole_place(login, admin, own_resource, db):
    db.session.commit()
    data = {
        "target": f"site-{own_resource.site_id}",
        "label": "Jour férié",
        "start_at": "2030-05-01T00:00",
        "end_at": "2030-05-02T00:00",
    }
    assert login(admin).post("/admin/closures/new", data=data).status_code == 302
    assert db.session.scalar(select(Closure.site_id)) == own_resource.site_id


def test_a_closure_ending_before_it_starts_is_refused(login, manager, own_resource, db):
    db.session.commit()
    data = {
        "target": f"resource-{own_resource.id}",
        "label": "Maintenance",
        "start_at": "2030-01-15T18:00",
        "end_at": "2030-01-15T09:00",
    }
    page = login(manager).post("/admin/closures/new", data=data).get_data(as_text=True)
    assert 'id="end_at-error"' in page
    assert "end must be after the start" in page
    assert db.session.scalar(select(Closure)) is None


def test_a_closure_needs_a_reason_and_real_dates(login, manager, own_resource, db):
    db.session.commit()
    data = {
        "target": f"resource-{own_resource.id}",
        "label": "",
        "start_at": "demain",
        "end_at": "",
    }
    page = login(manager).post("/admin/closures/new", data=data).get_data(as_text=True)
    for field in ("label", "start_at", "end_at"):
        assert f'id="{field}-error"' in page


def test_a_manager_cannot_close_what_they_do_not_manage(
    login, manager, own_resource, other_resource, db
):
    db.session.commit()
    client = login(manager)
    form = client.get("/admin/closures/new").get_data(as_text=True)
    assert f"resource-{other_resource.id}" not in form
    assert f"site-{own_resource.site_id}" not in form
    data = {
        "target": f"resource-{other_resource.id}",
        "label": "Sabotage",
        "start_at": "2030-01-15T09:00",
        "end_at": "2030-01-15T18:00",
    }
    page = client.post("/admin/closures/new", data=data).get_data(as_text=True)
    assert 'id="target-error"' in page
    assert db.session.scalar(select(Closure)) is None


def test_closures_are_listed_upcoming_first_and_past_apart(
    manager, own_resource, other_resource, db
):
    closure(
        "Plus tard",
        datetime(2030, 8, 1, tzinfo=UTC),
        datetime(2030, 8, 2, tzinfo=UTC),
        resource=own_resource,
    )
    closure(
        "En cours",
        datetime(2030, 5, 30, tzinfo=UTC),
        datetime(2030, 6, 3, tzinfo=UTC),
        resource=own_resource,
    )
    closure(
        "Bientôt",
        datetime(2030, 6, 10, tzinfo=UTC),
        datetime(2030, 6, 11, tzinfo=UTC),
        site=own_resource.site,
    )
    closure(
        "Passée",
        datetime(2030, 1, 1, tzinfo=UTC),
        datetime(2030, 1, 2, tzinfo=UTC),
        resource=own_resource,
    )
    closure(
        "Pas la mienne",
        datetime(2030, 6, 5, tzinfo=UTC),
        datetime(2030, 6, 6, tzinfo=UTC),
        resource=other_resource,
    )
    upcoming = queries.search_closures(manager, now=NOW)
    # A closure of the whole place closes the manager's resource too: listed (issue 13.14).
    assert [c.label for c in upcoming.items] == ["En cours", "Bientôt", "Plus tard"]
    past = queries.search_closures(manager, past=True, now=NOW)
    assert [c.label for c in past.items] == ["Passée"]
    admin = factories.make_user(is_admin=True)
    everything = queries.search_closures(admin, now=NOW)
    assert [c.label for c in everything.items] == [
        "En cours",
        "Pas la mienne",
        "Bientôt",
        "Plus tard",
    ]
    assert [c.label for c in queries.search_closures(admin, "bient", now=NOW).items] == ["Bientôt"]


def test_the_closure_page_lists_and_deletes(login, manager, own_resource, db):
    item = closure(
        "Inventaire",
        datetime(2099, 1, 1, tzinfo=UTC),
        datetime(2099, 1, 2, tzinfo=UTC),
        resource=own_resource,
    )
    item_id = item.id
    db.session.commit()
    client = login(manager)
    assert "Inventaire" in client.get("/admin/closures").get_data(as_text=True)
    assert client.post(f"/admin/closures/{item_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Closure, item_id) is None
    assert actions("closure", item_id) == [("deleted", manager.id)]


def test_another_resource_closure_cannot_be_deleted(
    login, manager, own_resource, other_resource, db
):
    item = closure(
        "Révision",
        datetime(2099, 1, 1, tzinfo=UTC),
        datetime(2099, 1, 2, tzinfo=UTC),
        resource=other_resource,
    )
    db.session.commit()
    assert login(manager).post(f"/admin/closures/{item.id}/delete").status_code == 403
    assert db.session.get(Closure, item.id) is not None


def test_the_closures_page_links_to_the_ics_import(app: Flask, login, admin, db):
    db.session.commit()
    page = login(admin).get("/admin/closures").get_data(as_text=True)
    endpoints = [e for e in IMPORT_ENDPOINTS if e in app.view_functions]
    if not endpoints:
        pytest.skip("the feeds area's import page is not in this build")
    with app.test_request_context():
        assert f'href="{url_for(endpoints[0])}"' in page


def test_the_closure_form_can_be_prefilled_with_its_target(login, manager, own_resource, db):
    db.session.commit()
    page = (
        login(manager).get(f"/admin/closures/new?target=resource-{own_resource.id}").get_data(True)
    )
    assert (
        f'selected value="resource-{own_resource.id}"' in page
        or f'value="resource-{own_resource.id}" selected' in page
    )


def test_a_manager_sees_the_closures_of_the_whole_place_of_their_rooms(
    login, manager, own_resource, other_resource, db
):
    christmas = closure(
        "Noël",
        datetime(2099, 12, 24, tzinfo=UTC),
        datetime(2099, 12, 26, tzinfo=UTC),
        site=own_resource.site,
    )
    closure(
        "Ailleurs",
        datetime(2099, 12, 24, tzinfo=UTC),
        datetime(2099, 12, 26, tzinfo=UTC),
        site=other_resource.site,
    )
    db.session.commit()
    client = login(manager)
    page = client.get("/admin/closures").get_data(as_text=True)
    assert "Noël" in page
    assert "Ailleurs" not in page
    assert "Set by the place" in page  # seen, but the place's managers delete it
    assert client.post(f"/admin/closures/{christmas.id}/delete").status_code == 403
    page = queries.search_closures(manager, now=NOW)
    assert [c.label for c in page.items] == ["Noël"]
