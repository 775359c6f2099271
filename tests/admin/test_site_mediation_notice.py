"""The place's admin page says when the place is left out of the national open-data file."""

from __future__ import annotations

from booking.extensions import db
from tests import factories


def test_a_place_without_siret_or_postcode_gets_a_notice_naming_them(client, admin, login):
    site = factories.make_site("Sans SIRET")
    french_admin = factories.make_user("admin-fr@example.org", is_admin=True, locale="fr")
    db.session.commit()
    english = login(admin).get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert (
        "This place does not appear in the file of places of digital inclusion: "
        "it lacks the SIRET/RNA and the postcode." in english
    )
    html = login(french_admin).get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert (
        "Ce lieu n’apparaît pas dans le fichier des lieux de médiation numérique : "
        "il manque le SIRET/RNA et le code postal." in html
    )


def test_a_complete_place_gets_no_notice(client, admin, login):
    site = factories.make_site("Complet", pivot="21290019500011", postcode="29200")
    db.session.commit()
    html = login(admin).get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert 'id="mediation-missing"' not in html
