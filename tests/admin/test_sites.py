"""Creating, editing and deleting places."""

from __future__ import annotations

from sqlalchemy import select

from booking.resources.models import Site
from tests import factories
from tests.admin.conftest import actions


def site_data(**changes) -> dict:
    data = {
        "name": "Maison de quartier de Kerourien",
        "slug": "mq-kerourien",
        "address": "2 rue Père Ricard, Brest",
        "neighbourhood": "Kerourien",
        "latitude": "48.4021",
        "longitude": "-4.4712",
        "transport": "Bus 3, arrêt Kerourien",
        "is_wheelchair_accessible": "y",
        "accessibility_notes": "Rampe à l'entrée",
        "contact_email": "accueil@kerourien.example.org",
        "contact_phone": "02 98 00 00 00",
    }
    data.update(changes)
    return data


def site_with_slug(slug: str) -> Site:
    site = factories.make_site()
    site.slug = slug
    return site


def test_an_administrator_creates_a_place(login, admin, db):
    db.session.commit()
    response = login(admin).post("/admin/sites/new", data=site_data())
    assert response.status_code == 302
    site = db.session.scalar(select(Site).where(Site.slug == "mq-kerourien"))
    assert site.neighbourhood == "Kerourien"
    assert site.latitude == 48.4021
    assert site.is_wheelchair_accessible
    assert actions("site", site.id) == [("created", admin.id)]


def test_an_empty_short_name_is_made_from_the_name(login, admin, db):
    db.session.commit()
    login(admin).post("/admin/sites/new", data=site_data(name="Médiathèque Saint-Martin", slug=""))
    assert db.session.scalar(select(Site.slug)) == "mediatheque-saint-martin"


def test_a_duplicate_short_name_is_refused_next_to_the_field(login, admin, db):
    site_with_slug("mq-kerourien")
    db.session.commit()
    response = login(admin).post("/admin/sites/new", data=site_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already used" in page
    assert 'id="slug-error"' in page
    assert db.session.scalar(select(Site).where(Site.name.like("%Kerourien%"))) is None


def test_a_malformed_short_name_is_refused(login, admin, db):
    db.session.commit()
    page = login(admin).post("/admin/sites/new", data=site_data(slug="Bad Slug!")).get_data(True)
    assert 'id="slug-error"' in page


def test_coordinates_must_be_numbers_in_range(login, admin, db):
    db.session.commit()
    client = login(admin)
    page = client.post("/admin/sites/new", data=site_data(latitude="nord")).get_data(True)
    assert 'id="latitude-error"' in page
    page = client.post("/admin/sites/new", data=site_data(longitude="200")).get_data(True)
    assert "between -180 and 180" in page
    page = client.post("/admin/sites/new", data=site_data(longitude="")).get_data(True)
    assert "both latitude and longitude" in page
    assert db.session.scalar(select(Site)) is None


def test_a_bad_contact_email_is_refused(login, admin, db):
    db.session.commit()
    page = (
        login(admin).post("/admin/sites/new", data=site_data(contact_email="nope")).get_data(True)
    )
    assert 'id="contact_email-error"' in page


def test_editing_a_place_records_what_changed(login, admin, db):
    site = site_with_slug("mq-kerourien")
    db.session.commit()
    response = login(admin).post(f"/admin/sites/{site.id}", data=site_data(name="MQ Kerourien"))
    assert response.status_code == 302
    assert site.name == "MQ Kerourien"
    ((action, actor),) = actions("site", site.id)
    assert (action, actor) == ("updated", admin.id)


def test_a_site_manager_edits_their_place(login, db):
    site_manager = factories.make_user()
    site = site_with_slug("mq-kerourien")
    site.managers.append(site_manager)
    db.session.commit()
    response = login(site_manager).post(f"/admin/sites/{site.id}", data=site_data(name="Nouveau"))
    assert response.status_code == 302
    assert site.name == "Nouveau"


def test_a_place_with_resources_is_not_deleted(login, admin, db):
    resource = factories.make_resource()
    db.session.commit()
    client = login(admin)
    response = client.post(f"/admin/sites/{resource.site_id}/delete", follow_redirects=True)
    assert "still has resources" in response.get_data(as_text=True)
    assert db.session.get(Site, resource.site_id) is not None


def test_an_empty_place_is_deleted_with_its_hours(login, admin, db):
    site = factories.make_site()
    site_id = site.id
    db.session.commit()
    response = login(admin).post(f"/admin/sites/{site_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, site_id) is None
    assert actions("site", site_id) == [("deleted", admin.id)]


def test_the_place_list_searches_and_paginates(login, admin, db):
    for n in range(30):
        factories.make_site(
            name=f"Lieu {n:02d}", neighbourhood="Recouvrance" if n < 3 else "Bellevue"
        )
    db.session.commit()
    client = login(admin)
    first = client.get("/admin/sites").get_data(as_text=True)
    assert first.count('<th scope="row">') == 25
    assert '<nav class="pagination"' in first
    assert 'href="/admin/sites?page=2"' in first
    second = client.get("/admin/sites?page=2").get_data(as_text=True)
    assert second.count('<th scope="row">') == 5
    found = client.get("/admin/sites?q=recouv").get_data(as_text=True)
    assert found.count('<th scope="row">') == 3
    assert client.get("/admin/sites?page=abc").status_code == 200
