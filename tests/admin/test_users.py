"""Users: administrator role, account state, managers of resources and sites."""

from __future__ import annotations

from booking.audit import trail
from booking.auth.models import User
from tests import factories


def roles(**changes) -> dict:
    data = {"is_admin": "", "is_active": "y", "resource_ids": [], "site_ids": []}
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_an_administrator_makes_someone_administrator(login, admin, db):
    person = factories.make_user()
    db.session.commit()
    response = login(admin).post(f"/admin/users/{person.id}", data=roles(is_admin="y"))
    assert response.status_code == 302
    assert person.is_admin
    assert [(e.action, e.actor_id) for e in trail("user", [person.id])] == [
        ("admin_granted", admin.id)
    ]


def test_an_administrator_deactivates_an_account(login, admin, db):
    person = factories.make_user()
    db.session.commit()
    login(admin).post(f"/admin/users/{person.id}", data=roles(is_active=""))
    assert not person.is_active
    assert [e.action for e in trail("user", [person.id])] == ["deactivated"]


def test_an_administrator_cannot_remove_their_own_role(login, admin, db):
    db.session.commit()
    response = login(admin).post(f"/admin/users/{admin.id}", data=roles(is_admin=""))
    page = response.get_data(as_text=True)
    assert 'id="is_admin-error"' in page
    assert admin.is_admin
    assert trail("user", [admin.id]) == []


def test_an_administrator_cannot_deactivate_themselves(login, admin, db):
    db.session.commit()
    response = login(admin).post(f"/admin/users/{admin.id}", data=roles(is_admin="y", is_active=""))
    assert 'id="is_active-error"' in response.get_data(as_text=True)
    assert admin.is_active


def test_an_administrator_makes_someone_manager_of_resources_and_places(login, admin, db):
    person = factories.make_user()
    resource = factories.make_resource()
    site = factories.make_site()
    db.session.commit()
    data = roles(resource_ids=[str(resource.id)], site_ids=[str(site.id)])
    assert login(admin).post(f"/admin/users/{person.id}", data=data).status_code == 302
    db.session.expire_all()
    assert person.is_manager
    assert resource.can_approve(person)
    assert site.is_managed_by(person)
    assert [e.action for e in trail("resource", [resource.id])] == ["manager_added"]
    assert [e.action for e in trail("site", [site.id])] == ["manager_added"]


def test_removing_a_manager(login, admin, db):
    person = factories.make_user()
    resource = factories.make_resource(managers=[person])
    db.session.commit()
    login(admin).post(f"/admin/users/{person.id}", data=roles())
    db.session.expire_all()
    assert not person.is_manager
    assert [e.action for e in trail("resource", [resource.id])] == ["manager_removed"]


def test_unknown_resources_are_refused(login, admin, db):
    person = factories.make_user()
    db.session.commit()
    page = login(admin).post(f"/admin/users/{person.id}", data=roles(resource_ids=["999"]))
    assert 'id="resource_ids-error"' in page.get_data(as_text=True)


def test_the_user_list_searches_and_filters(login, admin, db):
    factories.make_user("yann@example.org", name="Yann")
    factories.make_user("nolwenn@example.org", name="Nolwenn", is_active_account=False)
    factories.make_resource(managers=[factories.make_user("gwen@example.org", name="Gwen")])
    db.session.commit()
    client = login(admin)

    def emails(url: str) -> set[str]:
        page = client.get(url).get_data(as_text=True)
        known = ("yann@", "nolwenn@", "gwen@", "admin@")
        return {e for e in known if e in page}

    assert emails("/admin/users?q=YANN") == {"yann@"}
    assert emails("/admin/users?role=inactive") == {"nolwenn@"}
    assert emails("/admin/users?role=manager") == {"gwen@"}
    assert emails("/admin/users?role=admin") == {"admin@"}


def test_the_user_list_paginates(login, admin, db):
    # Written directly: hashing 26 passwords would only slow the test down.
    db.session.add_all(
        User(email=f"p{n:02d}@example.org", display_name=f"P {n:02d}", password_hash="-")
        for n in range(26)
    )
    db.session.commit()
    client = login(admin)
    assert client.get("/admin/users").get_data(as_text=True).count('<th scope="row">') == 25
    assert client.get("/admin/users?page=2").get_data(as_text=True).count('<th scope="row">') == 2
