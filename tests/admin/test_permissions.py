"""Who may open the administration, and what each role sees there."""

from __future__ import annotations

import pytest

from booking.resources.models import Equipment, Training
from tests import factories

ADMIN_ONLY_PAGES = [
    "/admin/sites/new",
    "/admin/resources/new",
    "/admin/equipment",
    "/admin/equipment/new",
    "/admin/trainings/new",
    "/admin/associations",
    "/admin/users",
]


@pytest.mark.parametrize("url", ["/admin/", "/admin/resources", "/admin/users", "/admin/closures"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ["/admin/", "/admin/resources", "/admin/sites", "/admin/closures"])
def test_association_members_are_refused(login, member, url):
    assert login(member).get(url).status_code == 403


def test_a_member_cannot_post_to_an_admin_action(login, member, own_resource, db):
    db.session.commit()
    response = login(member).post(f"/admin/resources/{own_resource.id}/delete")
    assert response.status_code == 403


def test_the_menu_shows_administration_to_managers(login, manager, own_resource, db):
    db.session.commit()
    assert 'href="/admin/"' in login(manager).get("/").get_data(as_text=True)


def test_the_menu_hides_administration_from_members(login, member, db):
    db.session.commit()
    assert 'href="/admin/"' not in login(member).get("/").get_data(as_text=True)


def test_a_manager_sees_only_their_own_resources(login, manager, own_resource, other_resource, db):
    db.session.commit()
    page = login(manager).get("/admin/resources").get_data(as_text=True)
    assert "Salle du port" in page
    assert "Salle des autres" not in page


def test_a_manager_cannot_open_another_resource(login, manager, own_resource, other_resource, db):
    db.session.commit()
    client = login(manager)
    assert client.get(f"/admin/resources/{own_resource.id}").status_code == 200
    for suffix in ("", "/equipment", "/hours"):
        assert client.get(f"/admin/resources/{other_resource.id}{suffix}").status_code == 403


def test_a_manager_cannot_change_another_resource(login, manager, own_resource, other_resource, db):
    db.session.commit()
    response = login(manager).post(
        f"/admin/resources/{other_resource.id}/hours",
        data={"weekday": "0", "opens_at": "09:00", "closes_at": "12:00"},
    )
    assert response.status_code == 403
    assert other_resource.opening_hours == []


@pytest.mark.parametrize("url", ADMIN_ONLY_PAGES)
def test_managers_cannot_open_administrator_pages(login, manager, own_resource, db, url):
    db.session.commit()
    assert login(manager).get(url).status_code == 403


def test_a_site_manager_manages_every_resource_of_the_site(login, db):
    site_manager = factories.make_user()
    site = factories.make_site(name="Médiathèque")
    site.managers.append(site_manager)
    first = factories.make_resource(site, name="Salle A")
    second = factories.make_resource(site, name="Salle B")
    elsewhere = factories.make_resource(name="Salle C")
    db.session.commit()
    client = login(site_manager)
    page = client.get("/admin/resources").get_data(as_text=True)
    assert "Salle A" in page
    assert "Salle B" in page
    assert "Salle C" not in page
    assert client.get(f"/admin/resources/{second.id}").status_code == 200
    assert client.get(f"/admin/sites/{site.id}").status_code == 200
    assert client.get(f"/admin/sites/{site.id}/hours").status_code == 200
    assert client.get(f"/admin/sites/{elsewhere.site_id}").status_code == 403
    assert first.can_manage(site_manager)


def test_a_resource_manager_does_not_manage_its_site(login, manager, own_resource, db):
    db.session.commit()
    client = login(manager)
    assert client.get(f"/admin/sites/{own_resource.site_id}").status_code == 403
    assert client.get(f"/admin/sites/{own_resource.site_id}/hours").status_code == 403
    assert own_resource.site.name not in client.get("/admin/sites").get_data(as_text=True)


def test_an_administrator_opens_every_page(login, admin, own_resource, db):
    item = Equipment(name="Écran", slug="ecran", category="affichage")
    training = Training(name="Découpe laser")
    db.session.add_all([item, training])
    association = factories.make_association(is_active=False)
    db.session.commit()
    client = login(admin)
    urls = [
        "/admin/",
        "/admin/sites",
        "/admin/sites/new",
        f"/admin/sites/{own_resource.site_id}",
        f"/admin/sites/{own_resource.site_id}/hours",
        "/admin/resources",
        "/admin/resources/new",
        f"/admin/resources/{own_resource.id}",
        f"/admin/resources/{own_resource.id}/equipment",
        f"/admin/resources/{own_resource.id}/hours",
        "/admin/equipment",
        "/admin/equipment/new",
        f"/admin/equipment/{item.id}",
        "/admin/closures",
        "/admin/closures?when=past",
        "/admin/closures/new",
        "/admin/trainings",
        "/admin/trainings/new",
        f"/admin/trainings/{training.id}",
        "/admin/associations",
        f"/admin/associations/{association.id}",
        "/admin/users",
        f"/admin/users/{admin.id}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get_data(as_text=True).count("<h1") == 1, url


def test_unknown_objects_give_404(login, admin, db):
    db.session.commit()
    client = login(admin)
    for url in ("/admin/sites/999", "/admin/resources/999", "/admin/users/999"):
        assert client.get(url).status_code == 404
