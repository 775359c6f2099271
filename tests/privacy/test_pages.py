"""The privacy page, the accessibility statement, and the footer link on every page."""

from __future__ import annotations

import pytest

from tests import factories

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


def test_privacy_page_says_who_what_why_how_long_and_the_rights(client, db):
    page = client.get("/confidentialite", headers=FR).get_data(as_text=True)
    assert "Ville de Brest" in page
    assert "24 mois" in page  # the retention setting, not a fixed text
    assert "dpo@salles-ouvertes.example.org" in page
    assert "CNIL" in page


def test_privacy_page_follows_the_retention_settings(app, client, db):
    app.config["RETENTION_PERSONAL_MONTHS"] = 12
    try:
        page = client.get("/confidentialite", headers=EN).get_data(as_text=True)
    finally:
        app.config["RETENTION_PERSONAL_MONTHS"] = 24
    assert "after 12 months" in page


def test_accessibility_statement_has_the_legal_parts(client, db):
    page = client.get("/accessibilite", headers=FR).get_data(as_text=True)
    for part in (
        "Déclaration d’accessibilité",
        "partiellement conforme",
        "RGAA",
        "4.1.2",
        "Défenseur des droits",
        "accessibilite@salles-ouvertes.example.org",
        "Établissement de cette déclaration",
    ):
        assert part in page, part


def test_the_status_is_a_setting(app, client, db):
    app.config["ACCESSIBILITY_STATUS"] = "none"
    try:
        page = client.get("/accessibilite", headers=EN).get_data(as_text=True)
    finally:
        app.config["ACCESSIBILITY_STATUS"] = "partial"
    assert "Accessibility: not compliant" in page


@pytest.mark.parametrize(
    "path", ["/", "/calendar/day", "/account/login", "/account/signup", "/confidentialite", "/nope"]
)
def test_every_page_links_to_the_statement_and_the_privacy_page(client, db, path):
    page = client.get(path, headers=FR).get_data(as_text=True)
    assert '<a href="/accessibilite">Accessibilité : partiellement conforme</a>' in page
    assert 'href="/confidentialite"' in page


def test_signed_in_pages_link_to_the_statement_too(client, login, db):
    login(factories.make_member())
    page = client.get("/account/profile", headers=FR).get_data(as_text=True)
    assert "/accessibilite" in page
    assert "/account/my-data" in page
