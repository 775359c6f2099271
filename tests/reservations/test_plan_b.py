"""Plan B: a request that collides offers the same room at the nearest free times and the
other rooms that fit at the same time, each a pre-filled form (issue 13, item 5)."""

from __future__ import annotations

import html
import re

from booking.bookings.alternatives import nearby_times
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Closure, ResourceEquipment
from booking.timeutil import to_local
from tests import factories
from tests.reservations.conftest import FAR, local
from tests.reservations.helpers import room_form, text

URL = "/reservations/new?resource=salle-iroise"


def plan_b_links(page: str) -> list[str]:
    section = re.search(r'<section class="plan-b".*?</section>', page, re.S)
    assert section, "no plan B"
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', section.group(0))]


def test_a_collision_offers_nearby_times_and_other_rooms(login, booker, room, site, camera):
    factories.make_booking(room, local("2030-03-05 14:00"), local("2030-03-05 16:00"))
    factories.make_booking(room, local("2030-03-05 10:00"), local("2030-03-05 12:00"))
    other_place = factories.make_site("Maison de Bellevue", neighbourhood="Bellevue")
    site.neighbourhood = "Recouvrance"
    far = factories.make_resource(
        other_place, name="Salle Bellevue", slug="bellevue", capacity=12, horizon_days=FAR
    )
    near = factories.make_resource(
        site, name="Salle Voisine", slug="voisine", capacity=9, horizon_days=FAR
    )
    small = factories.make_resource(
        site, name="Salle Petite", slug="petite", capacity=4, horizon_days=FAR
    )
    for resource in (far, near, small):
        resource.equipment.append(ResourceEquipment(equipment=camera))
    db.session.commit()
    response = login(booker).post(
        URL, data=room_form(**{"attendees": "8", f"equipment_{camera.id}": "y"})
    )
    assert response.status_code == 422
    page = text(response)
    assert "Other possibilities" in page
    links = plan_b_links(page)
    same_room = [link for link in links if "resource=salle-iroise" in link]
    # The nearest free two hours that day: 12:00 (right before) and 16:00 (right after).
    assert "date=2030-03-05&start=12:00&end=14:00&attendees=8&equipment=camera" in same_room[0]
    assert "date=2030-03-05&start=16:00&end=18:00" in same_room[1]
    assert any("date=2030-03-06&start=08:00&end=10:00" in link for link in same_room)
    others = [re.search(r"resource=([^&]+)", link).group(1) for link in links]
    others = [slug for slug in others if slug != "salle-iroise"]
    assert others == ["voisine", "bellevue"]  # same neighbourhood first; too small left out
    assert "start=14:00&end=16:00&attendees=8&equipment=camera" in links[-1]


def test_every_plan_b_time_is_accepted_by_the_form(login, booker, room):
    factories.make_booking(room, local("2030-03-05 14:00"), local("2030-03-05 16:00"))
    db.session.commit()
    page = text(login(booker).post(URL, data=room_form()))
    for link in plan_b_links(page):
        query = dict(re.findall(r"(\w+)=([^&]+)", link.split("?", 1)[1]))
        response = login(booker).post(
            URL, data=room_form(date=query["date"], start=query["start"], end=query["end"])
        )
        assert response.status_code == 302, (query, text(response)[:200])


def test_nearby_times_skip_closures(room, db):
    db.session.add(
        Closure(
            resource_id=room.id,
            start_at=local("2030-03-05 12:00"),
            end_at=local("2030-03-05 14:00"),
            label="Ménage",
        )
    )
    db.session.commit()
    found = nearby_times(room, local("2030-03-05 14:00"), local("2030-03-05 16:00"), utcnow())
    starts = [to_local(a).strftime("%d %H:%M") for a, _b in found]
    assert starts == ["05 14:30", "05 15:00", "05 15:30", "06 08:00", "06 08:30", "06 09:00"]
    assert "05 12:00" not in starts  # closed
    assert "05 13:00" not in starts  # overlaps the closure
