"""Associations: validation of new ones, deactivation, contact details, members."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from booking.admin import queries, services
from booking.admin.services import AdminError
from booking.audit import trail
from booking.outbox import OutboxMessage
from tests import factories

NOW = datetime(2030, 3, 2, 10, tzinfo=UTC)


def test_an_administrator_validates_a_new_association(login, admin, db):
    association = factories.make_association("Les Petits Débrouillards", is_active=False)
    db.session.commit()
    client = login(admin)
    page = client.get(f"/admin/associations/{association.id}").get_data(as_text=True)
    assert "Waiting for validation" in page
    response = client.post(f"/admin/associations/{association.id}/validate")
    assert response.status_code == 302
    assert association.is_active
    assert association.validated_at is not None
    (event,) = trail("association", [association.id])
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        "validated",
        admin.id,
        "pending",
        "active",
    )


def test_validation_stamps_the_given_time(admin, db):
    association = factories.make_association(is_active=False)
    services.validate_association(admin, association, now=NOW)
    assert association.validated_at == NOW


def test_only_a_pending_association_is_validated(admin, db):
    association = factories.make_association(is_active=True)
    with pytest.raises(AdminError):
        services.validate_association(admin, association)


def test_a_manager_cannot_validate(login, manager, own_resource, db):
    association = factories.make_association(is_active=False)
    db.session.commit()
    response = login(manager).post(f"/admin/associations/{association.id}/validate")
    assert response.status_code == 403
    assert not association.is_active


def test_deactivate_then_reactivate(login, admin, db):
    association = factories.make_association(is_active=True)
    db.session.commit()
    client = login(admin)
    client.post(f"/admin/associations/{association.id}/deactivate", data={"reason": "Dissoute"})
    assert not association.is_active
    assert queries.association_state(association) == "inactive"
    client.post(f"/admin/associations/{association.id}/reactivate")
    assert association.is_active
    events = trail("association", [association.id])
    assert [(e.action, e.reason) for e in events] == [
        ("deactivated", "Dissoute"),
        ("reactivated", None),
    ]


def test_reactivating_an_active_association_says_why_not(login, admin, db):
    association = factories.make_association(is_active=True)
    db.session.commit()
    response = login(admin).post(
        f"/admin/associations/{association.id}/reactivate", follow_redirects=True
    )
    assert "Only a deactivated association" in response.get_data(as_text=True)


def test_contact_details_are_edited_and_checked(login, admin, db):
    association = factories.make_association()
    db.session.commit()
    client = login(admin)
    url = f"/admin/associations/{association.id}"
    data = {"name": "Nouvelle Vague", "contact_email": "bonjour@nv.example.org"}
    assert client.post(url, data={**data, "registration_number": "W291000123"}).status_code == 302
    assert association.contact_email == "bonjour@nv.example.org"
    assert association.registration_number == "W291000123"
    page = client.post(url, data={**data, "contact_email": "pas-un-email"}).get_data(True)
    assert 'id="contact_email-error"' in page
    page = client.post(url, data={**data, "registration_number": "123"}).get_data(True)
    assert 'id="registration_number-error"' in page
    assert association.registration_number == "W291000123"


def test_the_association_page_shows_its_members(login, admin, db):
    association = factories.make_association()
    factories.add_member(factories.make_user("lea@example.org", name="Léa"), association, "admin")
    factories.add_member(factories.make_user("tom@example.org", name="Tom"), association)
    db.session.commit()
    page = login(admin).get(f"/admin/associations/{association.id}").get_data(as_text=True)
    assert "lea@example.org" in page
    assert "tom@example.org" in page
    assert "Association administrator" in page


def test_the_association_list_filters_by_state_and_searches(login, admin, db):
    factories.make_association("Breizh Code", is_active=False)
    factories.make_association("Brest Ensemble", is_active=True)
    gone = factories.make_association("Ancienne Asso", is_active=False)
    gone.validated_at = NOW
    db.session.commit()
    client = login(admin)

    def names(url: str) -> list[str]:
        page = client.get(url).get_data(as_text=True)
        return [n for n in ("Breizh Code", "Brest Ensemble", "Ancienne Asso") if n in page]

    assert names("/admin/associations?state=pending") == ["Breizh Code"]
    assert names("/admin/associations?state=active") == ["Brest Ensemble"]
    assert names("/admin/associations?state=inactive") == ["Ancienne Asso"]
    assert names("/admin/associations?q=brest") == ["Brest Ensemble"]
    assert len(names("/admin/associations?state=bogus")) == 3


def test_validating_an_association_emails_its_members_in_their_language(login, admin, db):
    association = factories.make_association("Les Petits Débrouillards", is_active=False)
    french = factories.make_user("anne@example.org", locale="fr")
    english = factories.make_user("bob@example.org", locale="en")
    factories.add_member(french, association, role="admin")
    factories.add_member(english, association)
    db.session.commit()
    login(admin).post(f"/admin/associations/{association.id}/validate")
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "association_validated")
    ).all()
    by_address = {row.recipients: row.message() for row in rows}
    assert set(by_address) == {"anne@example.org", "bob@example.org"}
    assert (
        "Un administrateur a validé"
        in by_address["anne@example.org"].get_body(("plain",)).get_content()
    )
    english_text = by_address["bob@example.org"].get_body(("plain",)).get_content()
    assert "you can now book" in english_text
    assert "/reservations/new" in english_text


def test_a_refused_validation_emails_nobody(login, admin, db):
    association = factories.make_association(is_active=True)
    factories.add_member(factories.make_user(), association)
    db.session.commit()
    login(admin).post(f"/admin/associations/{association.id}/validate")
    assert db.session.scalars(select(OutboxMessage)).all() == []
