"""The open-data fields of a place (national schema of places of digital inclusion)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from booking.resources.models import Site
from tests import factories
from tests.admin.test_sites import site_data


def _form(**changes) -> MultiDict:
    data = MultiDict(site_data(**changes))
    data.setlist(
        "services",
        ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"],
    )
    data.setlist("fees", ["Gratuit"])
    data.setlist("access_modes", ["Téléphoner", "Se présenter"])
    return data


def test_an_administrator_fills_the_open_data_fields(login, admin, db):
    db.session.commit()
    data = _form(pivot="21290019500011", postcode="29200", insee_code="29019", city="Brest")
    response = login(admin).post("/admin/sites/new", data=data)
    assert response.status_code == 302
    site = db.session.scalar(select(Site).where(Site.slug == "mq-kerourien"))
    assert (site.pivot, site.postcode, site.insee_code, site.city) == (
        "21290019500011",
        "29200",
        "29019",
        "Brest",
    )
    # Stored `|`-separated in the vocabulary's order, whatever the order chosen.
    assert site.services == (
        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
    )
    assert site.access_modes == "Se présenter|Téléphoner"
    assert site.fees == "Gratuit"


def test_the_form_shows_the_stored_choices(login, admin, db):
    site = factories.make_site(services="Loisirs et créations numériques", fees="Payant")
    db.session.commit()
    html = login(admin).get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert 'selected value="Loisirs et créations numériques"' in html
    assert 'selected value="Payant"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pivot", "1234"),
        ("postcode", "292"),
        ("insee_code", "ABCDE"),
        ("website", "brest.fr"),
        ("services", "Tout"),
    ],
)
def test_malformed_open_data_fields_are_refused_next_to_the_field(login, admin, db, field, value):
    db.session.commit()
    data = _form()
    data[field] = value
    response = login(admin).post("/admin/sites/new", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Site)) is None
