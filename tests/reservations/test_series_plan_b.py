"""Plan B on the series preview (issue 13, item 5): each date that cannot be booked offers
the nearest free times of the same room and the other rooms that fit at that time, each a
pre-filled request for that date; the series can still be booked without those dates."""

from __future__ import annotations

import html
import re

from booking.extensions import db
from tests import factories
from tests.reservations.conftest import FAR
from tests.reservations.helpers import room_form, text
from tests.reservations.test_series import URL, _conflict_on_2_november, _series_bookings, _weekly


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def test_each_conflicting_date_offers_its_plan_b(login, booker, room, site):
    _conflict_on_2_november(room)
    factories.make_resource(site, name="Salle Voisine", slug="voisine", horizon_days=FAR)
    db.session.commit()
    response = login(booker).post(URL, data=_weekly(preview="Preview the dates"))
    page = response.get_data(as_text=True)
    assert "Plan B for this date" in page
    rows = _rows(page)
    # Under the date that collides (2 November), a row with its plan B; none elsewhere.
    assert [bool(re.search(r"<a href", row)) for row in rows] == [False, False, False, True, False]
    assert "2, 2027" in rows[2]
    assert "Plan B for this date" in rows[3]
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', rows[3])]
    same_room = [link for link in links if "resource=salle-iroise" in link]
    # The booking 18:30–19:30 on 2 November: the nearest free two hours are 16:30 and 19:30.
    assert "date=2027-11-02&start=16:30&end=18:30&attendees=8" in same_room[0]
    assert "date=2027-11-02&start=19:30&end=21:30" in same_room[1]
    assert "date=2027-11-03" in same_room[2]  # the next day
    assert [link for link in links if "resource=voisine" in link] == [
        "/reservations/new?resource=voisine&date=2027-11-02&start=18:00&end=20:00&attendees=8"
    ]
    assert "Book the free dates only" in page  # the series without that date


def test_a_plan_b_link_books_that_single_date(login, booker, room):
    _conflict_on_2_november(room)
    client = login(booker)
    page = client.post(URL, data=_weekly(preview="Preview the dates")).get_data(as_text=True)
    link = html.unescape(re.search(r'href="([^"]*start=19:30[^"]*)"', page).group(1))
    query = dict(re.findall(r"(\w+)=([^&]+)", link.split("?", 1)[1]))
    form_page = text(client.get(link))
    assert 'value="19:30"' in form_page
    response = client.post(
        URL,
        data=room_form(
            date=query["date"], start=query["start"], end=query["end"], title="Répétition"
        ),
    )
    assert response.status_code == 302


def test_no_plan_b_column_when_every_date_is_free(login, booker, room):
    page = text(login(booker).post(URL, data=_weekly(preview="Preview the dates")))
    assert "Plan B for this date" not in page
    assert _series_bookings() == []
