"""Trainings and who holds them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from booking.extensions import db as _db
from booking.resources.models import Training, UserTraining
from tests import factories
from tests.admin.conftest import actions


def make_training(name: str = "Découpe laser") -> Training:
    training = Training(name=name, validity_months=24)
    _db.session.add(training)
    _db.session.flush()
    return training


def test_an_administrator_creates_a_training(login, admin, db):
    db.session.commit()
    data = {"name": "Fraiseuse CNC", "description": "Sécurité et réglages", "validity_months": "12"}
    response = login(admin).post("/admin/trainings/new", data=data)
    assert response.status_code == 302
    training = db.session.scalar(select(Training))
    assert (training.name, training.validity_months) == ("Fraiseuse CNC", 12)
    assert actions("training", training.id) == [("created", admin.id)]


def test_a_training_says_who_to_contact_and_when_the_next_session_is(login, admin, db):
    db.session.commit()
    data = {
        "name": "Fraiseuse CNC",
        "contact": "Yann, fablab@example.org",
        "next_session_on": "2030-01-08",
    }
    assert login(admin).post("/admin/trainings/new", data=data).status_code == 302
    training = db.session.scalar(select(Training))
    assert (training.contact, training.next_session_on) == (
        "Yann, fablab@example.org",
        date(2030, 1, 8),
    )


def test_a_training_without_validity_does_not_expire(login, admin, db):
    db.session.commit()
    login(admin).post("/admin/trainings/new", data={"name": "Imprimante 3D", "validity_months": ""})
    assert db.session.scalar(select(Training.validity_months)) is None


def test_bad_training_input_is_refused(login, admin, db):
    make_training()
    db.session.commit()
    client = login(admin)
    page = client.post("/admin/trainings/new", data={"name": "découpe LASER"}).get_data(True)
    assert 'id="name-error"' in page
    for bad in ("0", "douze"):
        page = client.post(
            "/admin/trainings/new", data={"name": "Vinyle", "validity_months": bad}
        ).get_data(True)
        assert 'id="validity_months-error"' in page
    assert db.session.scalar(select(Training).where(Training.name == "Vinyle")) is None


def test_an_administrator_records_who_holds_a_training(login, admin, db):
    training = make_training()
    maker = factories.make_user("maker@example.org")
    db.session.commit()
    data = {"email": "Maker@Example.org", "obtained_on": "2030-02-01", "expires_on": "2032-02-01"}
    response = login(admin).post(f"/admin/trainings/{training.id}/grant", data=data)
    assert response.status_code == 302
    held = db.session.scalar(select(UserTraining))
    assert (held.user_id, held.obtained_on, held.expires_on) == (
        maker.id,
        date(2030, 2, 1),
        date(2032, 2, 1),
    )
    assert held.granted_by_id == admin.id
    assert held.is_valid_on(date(2031, 1, 1))
    assert actions("training", training.id) == [("granted", admin.id)]


def test_granting_again_renews_the_training(login, admin, db):
    training = make_training()
    maker = factories.make_user("maker@example.org")
    db.session.add(
        UserTraining(user_id=maker.id, training_id=training.id, obtained_on=date(2028, 1, 1))
    )
    db.session.commit()
    data = {"email": "maker@example.org", "obtained_on": "2030-02-01", "expires_on": ""}
    login(admin).post(f"/admin/trainings/{training.id}/grant", data=data)
    (held,) = db.session.scalars(select(UserTraining)).all()
    assert held.obtained_on == date(2030, 2, 1)
    assert held.expires_on is None


def test_granting_needs_a_known_person_and_sensible_dates(login, admin, db):
    training = make_training()
    factories.make_user("maker@example.org")
    db.session.commit()
    client = login(admin)
    url = f"/admin/trainings/{training.id}/grant"
    page = client.post(url, data={"email": "nobody@example.org", "obtained_on": "2030-02-01"})
    assert "No account has this email address" in page.get_data(as_text=True)
    page = client.post(
        url,
        data={
            "email": "maker@example.org",
            "obtained_on": "2030-02-01",
            "expires_on": "2029-01-01",
        },
    ).get_data(as_text=True)
    assert 'id="expires_on-error"' in page
    page = client.post(url, data={"email": "maker@example.org", "obtained_on": "hier"}).get_data(
        as_text=True
    )
    assert 'id="obtained_on-error"' in page
    assert db.session.scalar(select(UserTraining)) is None


def test_a_training_is_withdrawn(login, admin, db):
    training = make_training()
    maker = factories.make_user("maker@example.org")
    held = UserTraining(user_id=maker.id, training_id=training.id, obtained_on=date(2030, 1, 1))
    db.session.add(held)
    db.session.commit()
    client = login(admin)
    assert "maker@example.org" in client.get(f"/admin/trainings/{training.id}").get_data(True)
    assert client.post(f"/admin/user-trainings/{held.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(UserTraining)) is None
    assert actions("training", training.id) == [("revoked", admin.id)]


def test_a_machine_manager_records_who_holds_the_training_it_requires(login, manager, db):
    training = make_training()
    other = make_training("Fraiseuse")
    factories.make_resource(kind="machine", managers=[manager], required_training=training)
    maker = factories.make_user("maker@example.org")
    db.session.commit()
    client = login(manager)
    listing = client.get("/admin/trainings").get_data(as_text=True)
    assert "Découpe laser" in listing
    assert "Fraiseuse" not in listing
    data = {"email": "maker@example.org", "obtained_on": "2030-02-01"}
    assert client.post(f"/admin/trainings/{training.id}/grant", data=data).status_code == 302
    assert db.session.scalar(select(UserTraining.user_id)) == maker.id
    assert client.post(f"/admin/trainings/{other.id}/grant", data=data).status_code == 403
    assert client.get(f"/admin/trainings/{other.id}").status_code == 403
    # Seeing the training is not changing it.
    page = client.get(f"/admin/trainings/{training.id}").get_data(as_text=True)
    assert 'name="validity_months"' not in page
    response = client.post(f"/admin/trainings/{training.id}", data={"name": "Renommée"})
    assert response.status_code == 403
    assert training.name == "Découpe laser"


def test_a_manager_without_machines_grants_nothing(login, manager, own_resource, db):
    training = make_training()
    held = UserTraining(
        user_id=factories.make_user().id, training_id=training.id, obtained_on=date(2030, 1, 1)
    )
    db.session.add(held)
    db.session.commit()
    client = login(manager)
    assert "Découpe laser" not in client.get("/admin/trainings").get_data(as_text=True)
    assert client.post(f"/admin/user-trainings/{held.id}/revoke").status_code == 403
    assert db.session.get(UserTraining, held.id) is not None
