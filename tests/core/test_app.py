"""The app factory, configuration and the pages every visitor sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from booking import create_app
from booking.demo import french_public_holidays, seed_demo
from booking.resources.models import Closure, Resource, ResourceKind, Site
from config import ProductionConfig, TestConfig


def test_factory_builds_an_app_with_the_test_config() -> None:
    app = create_app(TestConfig)
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"
    assert app.config["TIMEZONE"] == "Europe/Paris"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch) -> None:
    class _Prod(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_Prod)


def test_home_lists_sites_and_their_resources(client, make_resource) -> None:
    room = make_resource(name="Salle visio Bellevue 1")
    response = client.get("/", headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert room.site.name in page
    assert "Salle visio Bellevue 1" in page
    assert f'href="/resources/{room.slug}"' in page
    assert '<html lang="fr">' in page


def test_resource_page_shows_capacity_equipment_hours_and_rules(client, make_resource) -> None:
    room = make_resource(capacity=14, min_notice_minutes=120)
    page = client.get(f"/resources/{room.slug}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "Jusqu'à 14 personnes" in page
    assert "Horaires d'ouverture" in page
    assert "08:00–22:00" in page
    assert "au moins 2 h" in page


def test_unknown_resource_is_a_404_page_in_the_visitors_language(client) -> None:
    fr = client.get("/resources/nope", headers={"Accept-Language": "fr"})
    en = client.get("/resources/nope", headers={"Accept-Language": "en"})
    assert fr.status_code == en.status_code == 404
    assert "Page introuvable" in fr.get_data(as_text=True)
    assert "Page not found" in en.get_data(as_text=True)


def test_the_404_page_offers_the_menu_ways_on_and_the_search(client, db) -> None:
    page = client.get("/nulle-part", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="main-nav"' in page
    assert 'href="/calendar/day"' in page
    assert 'class="card find-card"' in page  # the home page's "find a free room"
    assert 'action="/find"' in page


def test_a_bad_date_in_the_address_stays_in_the_field_with_a_message(client, db) -> None:
    response = client.get("/calendar/day?date=2026-13-45", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    date_input = page[page.index('id="date"') - 80 : page.index('id="date"') + 120]
    assert 'value="2026-13-45"' in date_input
    assert 'type="text"' in date_input  # a date input would show it empty
    assert 'id="date-error"' in page


def test_json_clients_get_a_problem_document(client) -> None:
    response = client.get("/resources/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_language_switch_keeps_the_choice_and_refuses_open_redirects(client) -> None:
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert client.get("/lang/de").status_code == 404


def test_demo_data_has_fifteen_visio_rooms_and_makerspaces_and_is_idempotent(db) -> None:
    first = seed_demo()
    db.session.commit()
    second = seed_demo()
    db.session.commit()
    assert first == second
    assert first["visio_rooms"] == 15
    kinds = set(db.session.scalars(select(Resource.kind)))
    assert {ResourceKind.MACHINE, ResourceKind.OPEN_LAB} <= kinds
    assert db.session.scalar(select(func.count(Site.id))) == first["sites"]
    assert db.session.scalar(select(func.count(Closure.id))) > 0


def test_demo_resource_pages_all_work(client, db) -> None:
    seed_demo()
    db.session.commit()
    for slug in db.session.scalars(select(Resource.slug)):
        assert client.get(f"/resources/{slug}").status_code == 200, slug
    for slug in db.session.scalars(select(Site.slug)):
        assert client.get(f"/sites/{slug}").status_code == 200, slug


def test_french_public_holidays_follow_easter() -> None:
    days = dict(french_public_holidays(2027))
    assert len(days) == 11
    by_label = {label: day for day, label in days.items()}
    assert by_label["Lundi de Pâques"].isoformat() == "2027-03-29"
    assert by_label["Ascension"].isoformat() == "2027-05-06"
    assert by_label["Lundi de Pentecôte"].isoformat() == "2027-05-17"


def test_stored_instants_come_back_aware_in_utc(db, make_resource, make_booking) -> None:
    room = make_resource()
    start = datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    booking = make_booking(room, start, start.replace(hour=19))
    db.session.commit()
    db.session.expire_all()
    assert booking.start_at == start
    assert booking.start_at.tzinfo is not None


def test_naive_datetimes_are_refused(db, make_resource, make_booking) -> None:
    room = make_resource()
    with pytest.raises(Exception, match="naive"):
        make_booking(room, datetime(2026, 10, 25, 17), datetime(2026, 10, 25, 19))
    db.session.rollback()


def test_pages_carry_security_headers_and_forbid_inline_scripts(client) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_translated_messages_work_outside_a_request(app) -> None:
    with app.app_context():
        assert gettext("Page not found") == "Page introuvable"
