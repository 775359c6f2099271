"""My bookings: only my associations' bookings, upcoming and past, filters, pages."""

from __future__ import annotations

from datetime import timedelta

from booking.extensions import db
from tests import factories
from tests.reservations.conftest import local
from tests.reservations.helpers import text


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/reservations/mine")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_menu_links_to_my_bookings_once_signed_in(login, booker):
    page = text(login(booker).get("/"))
    assert 'href="/reservations/mine"' in page


def test_i_see_my_associations_bookings_and_never_another_ones(login, booker, association, room):
    mine = factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 16:00"),
        association=association,
        title="Notre réunion",
        state="pending",
    )
    other = factories.make_association("Club de Go")
    theirs = factories.make_booking(
        room,
        local("2030-03-06 14:00"),
        local("2030-03-06 16:00"),
        association=other,
        title="Secret du club",
        is_public=False,
    )
    db.session.commit()
    client = login(booker)
    page = text(client.get("/reservations/mine"))
    assert "Notre réunion" in page
    assert "Pending approval" in page  # the state in words
    assert f"/reservations/{mine.id}/cancel" in page
    assert "Secret du club" not in page
    assert client.get(f"/reservations/{theirs.id}").status_code == 404
    assert client.get(f"/reservations/{theirs.id}/cancel").status_code == 404
    assert client.get("/reservations/999999").status_code == 404


def test_past_bookings_are_in_their_own_tab(login, booker, association, room):
    factories.make_booking(
        room,
        local("2020-03-05 14:00"),
        local("2020-03-05 16:00"),
        association=association,
        title="Vieille réunion",
    )
    factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 16:00"),
        association=association,
        title="Future réunion",
    )
    db.session.commit()
    client = login(booker)
    upcoming = text(client.get("/reservations/mine"))
    past = text(client.get("/reservations/mine?when=past"))
    assert "Future réunion" in upcoming
    assert "Vieille réunion" not in upcoming
    assert "Vieille réunion" in past
    assert "Future réunion" not in past
    assert "/cancel" not in past


def test_filters_by_state_and_association(login, booker, association, room):
    second = factories.make_association("Club de Go")
    factories.add_member(booker, second)
    factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 16:00"),
        association=association,
        title="Approuvée",
        state="approved",
    )
    factories.make_booking(
        room,
        local("2030-03-06 14:00"),
        local("2030-03-06 16:00"),
        association=association,
        title="En attente",
        state="pending",
    )
    factories.make_booking(
        room,
        local("2030-03-07 14:00"),
        local("2030-03-07 16:00"),
        association=second,
        title="Du club",
        state="pending",
    )
    db.session.commit()
    client = login(booker)
    pending = text(client.get("/reservations/mine?state=pending"))
    assert "En attente" in pending
    assert "Du club" in pending
    assert "Approuvée" not in pending
    club = text(client.get(f"/reservations/mine?association={second.id}"))
    assert "Du club" in club
    assert "En attente" not in club


def test_garbage_filters_are_ignored(login, booker, association, room):
    factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 16:00"),
        association=association,
        title="Notre réunion",
    )
    db.session.commit()
    client = login(booker)
    for query in ("state=nope", "association=abc", "page=-3", "page=x", "when=later", "page=99"):
        response = client.get(f"/reservations/mine?{query}")
        assert response.status_code == 200, query
    assert "Notre réunion" in text(client.get("/reservations/mine?state=nope&when=later"))


def test_many_bookings_are_paginated_by_the_page_size_setting(
    app, login, booker, association, room, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 20)
    first = local("2030-03-04 09:00")
    for n in range(25):
        start = first + timedelta(days=n)
        factories.make_booking(
            room,
            start,
            start + timedelta(hours=1),
            association=association,
            title=f"Réunion n°{n:02d}",
        )
    db.session.commit()
    client = login(booker)
    page1 = text(client.get("/reservations/mine"))
    page2 = text(client.get("/reservations/mine?page=2"))
    assert "Réunion n°00" in page1
    assert "Réunion n°19" in page1
    assert "Réunion n°20" not in page1
    assert "Réunion n°20" in page2
    assert "Réunion n°24" in page2
    assert "Réunion n°00" not in page2
    assert "page=2" in page1
    assert '<nav class="pagination" aria-label="Pages of my bookings">' in page1
    assert '<a href="/reservations/mine?page=1" aria-current="page">' in page1
    assert 'rel="next"' in page1
    assert 'rel="prev"' in page2
