"""The statistics pages and their CSV exports, in French and in English."""

from __future__ import annotations

import csv
import io

import pytest

from booking.extensions import db
from tests import factories

ARGS = {"period": "custom", "start": "2027-03-27", "end": "2027-03-29"}


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_statistics_page_shows_the_figures_and_its_charts(scene, login):
    scene.admin.locale = "en"
    db.session.commit()
    page = login(scene.admin).get("/stats/", query_string=ARGS)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Salle A" in html
    assert "Salle B" in html
    assert html.count("<svg") == 3
    assert "26.5%" in html  # 4.5 h / 17 h
    assert "34.2%" in html  # 6.5 h / 19 h
    assert "No-shows (released)" in html  # fed by check-in (stats/checkins.py)


def test_the_statistics_page_speaks_french(scene, login):
    scene.admin.locale = "fr"
    db.session.commit()
    page = login(scene.admin).get("/stats/", query_string=ARGS)
    html = page.get_data(as_text=True)
    assert "Statistiques" in html
    assert "26,5" in html  # French decimal comma


def test_the_per_resource_csv_matches_the_hand_computed_figures(scene, login):
    db.session.commit()
    response = login(scene.admin).get("/stats/resources.csv", query_string=ARGS)
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    rows = {row["resource"]: row for row in _rows(response)}
    assert rows["Salle A"]["open_hours"] == "17.00"
    assert rows["Salle A"]["booked_hours"] == "4.50"
    assert rows["Salle A"]["occupancy"] == f"{4.5 / 17:.4f}"
    assert rows["Salle B"]["open_hours"] == "2.00"
    assert rows["Salle A"]["refused"] == "1"
    assert rows["Salle A"]["no_shows"] == "0"


def test_series_and_heat_map_csv(scene, login):
    db.session.commit()
    client = login(scene.admin)
    series = _rows(client.get("/stats/series.csv", query_string=ARGS))
    assert series == [
        {"period_start": "2027-03-22", "booked_hours": "6.50"},
        {"period_start": "2027-03-29", "booked_hours": "0.00"},
    ]
    heat = _rows(client.get("/stats/heatmap.csv", query_string=ARGS))
    assert len(heat) == 7 * 24
    saturday_ten = next(r for r in heat if r["weekday"] == "6" and r["hour"] == "10")
    assert saturday_ten["requests"] == "2"


def test_the_yearly_report_is_printable(scene, login):
    db.session.commit()
    page = login(scene.admin).get("/stats/report?year=2027")
    assert page.status_code == 200
    assert "yearly-report" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "args",
    [
        {"period": "custom", "start": "2027-03-29", "end": "2027-03-27"},
        {"period": "custom", "start": "nonsense", "end": "2027-03-27"},
        {"period": "month", "month": "1999-13"},
        {"period": "year", "year": "99999"},
        {"site": "12345"},
        {"period": "custom", "start": "2020-01-01", "end": "2027-03-27"},
    ],
)
def test_bad_filters_answer_400_with_a_message_not_a_500(scene, login, args):
    db.session.commit()
    client = login(scene.admin)
    page = client.get("/stats/", query_string=args)
    assert page.status_code == 400
    assert 'class="error"' in page.get_data(as_text=True)
    assert client.get("/stats/resources.csv", query_string=args).status_code == 400


def test_people_who_manage_nothing_may_not_see_statistics(scene, login, client):
    db.session.commit()
    assert client.get("/stats/").status_code in (302, 401)
    member = factories.make_member()
    db.session.commit()
    assert login(member).get("/stats/").status_code == 403


def test_a_manager_sees_only_their_resources(scene, login):
    db.session.commit()
    rows = _rows(login(scene.manager).get("/stats/resources.csv", query_string=ARGS))
    assert [row["resource"] for row in rows] == ["Salle A"]
