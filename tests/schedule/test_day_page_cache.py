"""The day grid page is served whole after one read while nothing it reads changes (issue 19),
and never stale, never another visitor's or another language's."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from flask import template_rendered

from booking.extensions import db as _db
from booking.resources.models import Equipment, OpeningHours, Resource, ResourceEquipment, Site
from booking.schedule import views
from tests.schedule.conftest import DAY, at
from tests.statements import recorded_statements, selects

DAY_URL = f"/calendar/day?date={DAY.isoformat()}"
VARIANTS = [
    DAY_URL,
    f"{DAY_URL}&site=maison-du-port",
    f"{DAY_URL}&kind=visio&capacity=5",
    f"{DAY_URL}&neighbourhood=Bellevue",
    f"{DAY_URL}&equipment=camera",
    f"{DAY_URL}&page=2",
    "/calendar/day",
]


def answered(client, url: str, **headers: str) -> tuple[str, int, list[str], list[str]]:
    """The page's text, its status, the SELECTs sent and the templates rendered."""
    names: list[str] = []

    def _note(_app, template, **_extra) -> None:
        names.append(template.name)

    _db.session.expunge_all()
    with recorded_statements() as statements, template_rendered.connected_to(_note):
        response = client.get(url, headers=headers)
    return response.get_data(as_text=True), response.status_code, selects(statements), names


@pytest.fixture
def town(app, scene, monkeypatch):
    """The scene's ids, a camera on the first room, a place with no room, two rooms a page."""
    ids = {name: scene[name].id for name in ("site", "other", "first", "second", "far")}
    _db.session.get(Site, ids["site"]).slug = "maison-du-port"
    camera = Equipment(name="Caméra", name_en="Camera", slug="camera")
    _db.session.add(camera)
    _db.session.flush()
    ids["camera"] = camera.id
    _db.session.add(ResourceEquipment(resource_id=ids["first"], equipment_id=camera.id))
    _db.session.add(Site(name="Maison Vide", slug="maison-vide", neighbourhood="Kerinou"))
    _db.session.commit()
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    return ids


@pytest.mark.parametrize("url", VARIANTS)
def test_an_anonymous_visitor_gets_the_day_page_again_after_one_read(english, town, url):
    first, status, cold, cold_templates = answered(english, url)
    again, status_again, warm, warm_templates = answered(english, url)
    assert status == status_again == 200
    assert again == first
    assert cold_templates
    assert warm_templates == []  # nothing rendered
    assert len(warm) == 1  # the stamp
    assert not any("FROM booking" in s for s in warm)
    assert len(cold) > 1


def test_the_variants_are_pages_of_their_own(english, town):
    pages = [answered(english, url)[0] for url in VARIANTS]
    for url, page in zip(VARIANTS, pages, strict=True):
        assert answered(english, url)[0] == page
    assert "Salle Crête" not in pages[1]  # the other place
    assert "Salle Bouée" not in pages[2]  # 4 people
    assert "Salle Amarre" not in pages[3]  # Recouvrance
    assert "Salle Bouée" not in pages[4]
    assert "Salle Amarre" in pages[4]
    assert "Salle Bouée" in pages[5]  # the second page (places by name: Haute, then du Port)
    assert "Salle Amarre" not in pages[5]


def test_a_bad_date_is_kept_with_its_status(english, town):
    url = "/calendar/day?date=2030-13-45"
    first, status, _, _ = answered(english, url)
    again, status_again, warm, _ = answered(english, url)
    assert status == status_again == 400
    assert again == first
    assert len(warm) == 1


@pytest.mark.parametrize("url", [DAY_URL, f"{DAY_URL}&site=maison-du-port", "/calendar/day"])
def test_a_booking_made_anywhere_shows_at_once(english, town, make_booking, url):
    """Any booking moves the stamp: the page read again shows it, whichever page it is on."""
    free_at_four = "resource=salle-amarre&amp;date=2030-06-18&amp;start=16:00"
    before = answered(english, url)[0]
    answered(english, url)  # kept
    make_booking(_db.session.get(Resource, town["first"]), at(DAY, 16), at(DAY, 17))
    _db.session.commit()
    after, _, _, rendered = answered(english, url)
    assert rendered
    if url != "/calendar/day":  # today's page: the booking is on DAY, only the stamp tells
        assert free_at_four in before
        assert free_at_four not in after


def test_the_choices_and_filters_follow_the_catalogue_at_once(english, town):
    url = f"{DAY_URL}&equipment=camera"
    answered(english, url)
    assert "Maison Vide" in answered(english, url)[0]
    # A place with no room renamed: only the form's choices show it.
    empty = _db.session.scalar(_db.select(Site).where(Site.slug == "maison-vide"))
    empty.name = "Maison Pleine"
    empty.neighbourhood = "Lambézellec"
    _db.session.commit()
    page = answered(english, url)[0]
    assert "Maison Pleine" in page
    assert "Lambézellec" in page
    assert "Maison Vide" not in page
    # The equipment renamed, then given to another room.
    camera = _db.session.get(Equipment, town["camera"])
    camera.name_en = "Video camera"
    _db.session.commit()
    assert "Video camera" in answered(english, url)[0]
    _db.session.add(ResourceEquipment(resource_id=town["second"], equipment_id=town["camera"]))
    _db.session.commit()
    page = answered(english, url)[0]
    assert "Salle Bouée" in page
    assert "Salle Amarre" in page
    # A line moved to another room: the same count of lines.
    line = _db.session.scalar(
        _db.select(ResourceEquipment).where(ResourceEquipment.resource_id == town["first"])
    )
    line.resource_id = town["far"]
    _db.session.commit()
    page = answered(english, url)[0]
    assert "Salle Crête" in page
    assert "Salle Amarre" not in page


def test_a_room_changed_or_added_shows_at_once(english, town, make_resource):
    answered(english, DAY_URL)
    room = _db.session.get(Resource, town["first"])
    room.name = "Salle Ancre"
    _db.session.commit()
    assert "Salle Ancre" in answered(english, DAY_URL)[0]
    make_resource(
        _db.session.get(Site, town["other"]),
        name="Salle Dune",
        slug="salle-dune",
        horizon_days=3650,
    )
    _db.session.commit()
    assert "Salle Dune" in answered(english, DAY_URL)[0]


def test_anonymous_and_signed_in_pages_are_never_mixed(app, english, town, login, make_user):
    anonymous, _, _, _ = answered(english, DAY_URL)
    answered(english, DAY_URL)  # kept whole for anonymous visitors
    login(make_user(locale="en"))
    signed_in, _, _reads, rendered = answered(english, DAY_URL)
    assert "Log out" in signed_in
    assert "csrf_token" in signed_in
    assert "Log out" not in anonymous
    assert "csrf_token" not in anonymous
    assert rendered  # their own layout, around the kept calendar part
    assert not any("_content" in name for name in rendered)
    again, _, _, _ = answered(english, DAY_URL)
    assert "Log out" in again
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert answered(other, DAY_URL)[0] == anonymous


def test_a_signed_in_visitor_first_never_leaves_their_page_to_anonymous_ones(
    app, english, town, login, make_user
):
    login(make_user(locale="en"))
    signed_in = answered(english, DAY_URL)[0]
    assert "Log out" in signed_in
    anonymous_client = app.test_client()
    anonymous_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    anonymous, _, _, rendered = answered(anonymous_client, DAY_URL)
    assert rendered
    assert "Log out" not in anonymous
    assert "csrf_token" not in anonymous


def test_a_page_with_a_message_is_not_kept_nor_served_whole(english, town):
    answered(english, DAY_URL)
    with english.session_transaction() as session:
        session["_flashes"] = [("info", "Un message pour vous")]
    page, _, _, rendered = answered(english, DAY_URL)
    assert rendered
    assert "Un message pour vous" in page
    again, _, _, _ = answered(english, DAY_URL)
    assert "Un message pour vous" not in again


def test_the_language_is_never_mixed(english, town):
    english_page = answered(english, DAY_URL)[0]
    answered(english, DAY_URL)
    french_page, _, _, rendered = answered(english, DAY_URL, **{"Accept-Language": "fr"})
    assert rendered
    assert '<html lang="fr">' in french_page
    assert '<html lang="en">' in english_page
    assert answered(english, DAY_URL, **{"Accept-Language": "fr"})[0] == french_page
    assert answered(english, DAY_URL)[0] == english_page


def test_todays_page_follows_the_minute_when_a_notice_reaches_it(english, town, monkeypatch):
    """The page is keyed by the clock with the longest notice of any room (Salle Bouée's
    hour here), so slots turn too late to book as minutes go by."""
    moment = at(DAY, 12, 29)
    monkeypatch.setattr(views, "utcnow", lambda: moment.replace(second=30))
    before = answered(english, DAY_URL)[0]
    assert answered(english, DAY_URL)[0] == before
    monkeypatch.setattr(views, "utcnow", lambda: moment + timedelta(minutes=2))
    after, _, _, rendered = answered(english, DAY_URL)
    assert rendered
    assert after != before
    # A day wholly past does not depend on the minute: kept.
    yesterday = f"/calendar/day?date={(DAY - timedelta(days=1)).isoformat()}"
    answered(english, yesterday)
    monkeypatch.setattr(views, "utcnow", lambda: moment + timedelta(minutes=5))
    assert answered(english, yesterday)[3] == []


def test_the_default_day_moves_with_today(english, town, monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: DAY)
    monkeypatch.setattr(views, "utcnow", lambda: at(DAY, 7))
    first = answered(english, "/calendar/day")[0]
    assert "Calendar of Tuesday" in first
    monkeypatch.setattr(views, "local_today", lambda: DAY + timedelta(days=1))
    monkeypatch.setattr(views, "utcnow", lambda: at(DAY + timedelta(days=1), 7))
    second, _, _, rendered = answered(english, "/calendar/day")
    assert rendered
    assert "Calendar of Wednesday" in second


def test_the_site_hours_changed_show_at_once(english, town):
    answered(english, DAY_URL)
    _db.session.add(
        OpeningHours(
            site_id=town["site"], weekday=DAY.weekday(), opens_at=time(20), closes_at=time(22)
        )
    )
    _db.session.commit()
    assert answered(english, DAY_URL)[3]


def test_the_page_size_is_part_of_the_key(app, english, town, monkeypatch):
    two_a_page = answered(english, DAY_URL)[0]
    assert "Salle Bouée" not in two_a_page
    monkeypatch.setitem(app.config, "PAGE_SIZE", 25)
    assert "Salle Bouée" in answered(english, DAY_URL)[0]


def test_a_signed_in_visitor_gets_the_kept_part_after_the_stamp_alone(
    english, town, login, make_user
):
    login(make_user(locale="en"))
    first, _, cold, _ = answered(english, f"{DAY_URL}&kind=visio")
    again, _, warm, rendered = answered(english, f"{DAY_URL}&kind=visio")
    assert again == first
    assert rendered
    assert not any("_content" in name for name in rendered)  # only their layout
    page_reads = [s for s in cold if s.startswith(("SELECT resource.id", "SELECT equipment.id"))]
    assert len(page_reads) == 2
    assert not any(s.startswith(("SELECT resource.id", "SELECT equipment.id")) for s in warm)
    assert not any("FROM booking" in s for s in warm)
    assert len(warm) == 2  # the signed-in user, the stamp
    assert "AS stamp" in warm[-1]


def test_a_signed_in_visitor_with_a_bad_date_gets_400_from_the_kept_part(
    english, town, login, make_user
):
    login(make_user(locale="en"))
    url = "/calendar/day?date=2030-13-45"
    first, status, _, _ = answered(english, url)
    again, status_again, _, rendered = answered(english, url)
    assert status == status_again == 400
    assert again == first
    assert not any("_content" in name for name in rendered)
