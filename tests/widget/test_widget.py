"""The embeddable widget: the week's free and busy times, framable, cookie-free, FR/EN."""

from __future__ import annotations

from datetime import datetime

import pytest

from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


@pytest.fixture
def room(db):
    resource = factories.make_resource(
        factories.make_site("Maison du Champ de Foire"), name="Salle Iroise", slug="salle-iroise"
    )
    factories.make_booking(
        resource, local("2030-03-05 10:00"), local("2030-03-05 12:00"), title="Ciné", is_public=True
    )
    factories.make_booking(
        resource, local("2030-03-06 10:00"), local("2030-03-06 12:00"), title="Secret"
    )
    db.session.commit()
    return resource


def test_the_week_shows_free_times_linked_to_the_prefilled_form(client, room):
    response = client.get("/widget/resources/salle-iroise?date=2030-03-05&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "/reservations/new?resource=salle-iroise&amp;date=2030-03-05&amp;start=08:00&amp;end=10:00"
        in page
    )
    assert "booked: Ciné" in page
    assert "Secret" not in page  # a private booking is busy, nameless


def test_only_the_widget_may_be_framed(client, room):
    widget = client.get("/widget/resources/salle-iroise")
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    page = client.get("/resources/salle-iroise")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_language_comes_from_the_lang_parameter(client, room):
    french = client.get("/widget/resources/salle-iroise?lang=fr").get_data(as_text=True)
    english = client.get("/widget/resources/salle-iroise?lang=en").get_data(as_text=True)
    assert '<html lang="fr">' in french
    assert '<html lang="en">' in english
    assert "Previous week" in english
    assert "Previous week" not in french


def test_the_widget_sets_no_cookie_even_for_a_signed_in_visitor(login, room):
    client = login(factories.make_user())
    response = client.get("/widget/resources/salle-iroise?lang=en")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "csrf" not in response.get_data(as_text=True)


def test_a_place_shows_each_of_its_rooms(client, room):
    factories.make_resource(room.site, name="Salle Molène", slug="salle-molene")
    db.session.commit()
    page = client.get(f"/widget/sites/{room.site.slug}?lang=en").get_data(as_text=True)
    assert "Salle Iroise" in page
    assert "Salle Molène" in page


def test_unknown_rooms_and_places_are_not_found(client, db):
    assert client.get("/widget/resources/nope").status_code == 404
    assert client.get("/widget/sites/nope").status_code == 404


def test_a_bad_date_falls_back_to_this_week(client, room):
    assert client.get("/widget/resources/salle-iroise?date=nonsense").status_code == 200


def test_resource_and_place_pages_offer_the_snippet(client, room):
    page = client.get("/resources/salle-iroise").get_data(as_text=True)
    assert "embed-heading" in page
    assert "/widget/resources/salle-iroise?lang=fr" in page
    assert "js/widget-embed.js" in page
    site_page = client.get(f"/sites/{room.site.slug}").get_data(as_text=True)
    assert f"/widget/sites/{room.site.slug}?lang=en" in site_page


def test_the_widget_and_the_snippet_never_name_the_requests_host(client, room):
    forged = {"Host": "evil.example"}
    for url in ("/widget/resources/salle-iroise", "/resources/salle-iroise"):
        page = client.get(url, headers=forged).get_data(as_text=True)
        assert "evil.example" not in page
        assert "http://salles.test/" in page
