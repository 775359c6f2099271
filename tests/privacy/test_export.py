"""'My data': everything the service holds about a person, as a page and as JSON."""

from __future__ import annotations

import json


def test_export_holds_the_account_bookings_comments_and_history(client, login, trail):
    login(trail.person)
    response = client.get("/account/my-data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "camille@example.org"
    assert data["account"]["has_private_feed"] is True
    assert [m["association"] for m in data["memberships"]] == ["Repair Café de Bellevue"]
    [booking] = data["bookings"]
    assert booking["title"] == "Atelier réparation"
    assert booking["requested_by_me"] is True
    assert booking["decided_by_me"] is False
    assert booking["start_at"] == "2030-03-05T13:00:00+00:00"
    assert [c["body"] for c in data["comments"]] == ["Je serai là à 14 h, Camille"]
    assert [e["action"] for e in data["audit_events"]] == ["request"]


def test_export_of_a_manager_lists_the_bookings_they_decided(client, login, trail):
    login(trail.manager)
    data = json.loads(client.get("/account/my-data.json").get_data(as_text=True))
    assert [b["decided_by_me"] for b in data["bookings"]] == [True]
    assert data["comments"] == []


def test_my_data_page_is_readable_and_not_cached(client, login, trail):
    login(trail.person)
    response = client.get("/account/my-data", headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Mes données" in page
    assert "Atelier réparation" in page
    assert "Repair Café de Bellevue" in page


def test_my_data_needs_a_signed_in_person(client, db):
    assert client.get("/account/my-data.json").status_code == 302
    assert client.get("/account/my-data").status_code == 302
