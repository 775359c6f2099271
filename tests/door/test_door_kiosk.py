"""The kiosk of a site (all its rooms on one screen) and the managers' links to the displays."""

from __future__ import annotations

from datetime import datetime

from booking.door import views
from booking.timeutil import to_utc
from tests import factories

DAY = "2030-03-06"


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


def test_the_kiosk_shows_every_room_of_the_site_in_words(client, db, monkeypatch):
    site = factories.make_site("Maison du Champ de Foire")
    iroise = factories.make_resource(site, name="Salle Iroise")
    factories.make_resource(site, name="Salle Molène")
    factories.make_resource(name="Salle ailleurs")  # another site
    factories.make_booking(
        iroise, local(f"{DAY} 10:00"), local(f"{DAY} 11:00"), title="Café", is_public=True
    )
    factories.make_booking(iroise, local(f"{DAY} 12:00"), local(f"{DAY} 13:00"), title="Secret")
    db.session.commit()
    monkeypatch.setattr(views, "utcnow", lambda: local(f"{DAY} 10:30"))
    html = client.get(f"/sites/{site.slug}/door?lang=en").get_data(as_text=True)
    assert "Rooms of Maison du Champ de Foire" in html
    assert html.index("Salle Iroise") < html.index("Salle Molène")
    assert "Salle ailleurs" not in html
    assert "In use until 11:00\u202fAM" in html
    assert "Café" in html
    assert "Next: <span" in html
    assert "Private booking" in html
    assert "Secret" not in html
    assert "Free until 10:00\u202fPM" in html  # Molène, free until closing
    assert "Then closed" in html
    french = client.get(f"/sites/{site.slug}/door?lang=fr").get_data(as_text=True)
    assert "Salles de Maison du Champ de Foire" in french
    assert "Occupée jusqu’à 11:00" in french


def test_managers_find_the_door_displays_from_the_pages(client, db):
    manager = factories.make_user()
    resource = factories.make_resource(name="Salle Iroise", managers=[manager])
    resource.site.managers.append(manager)
    db.session.commit()
    anonymous = client.get(f"/resources/{resource.slug}").get_data(as_text=True)
    assert f"/rooms/{resource.slug}/door" not in anonymous
    factories.sign_in(client, manager)
    room_page = client.get(f"/resources/{resource.slug}?lang=fr").get_data(as_text=True)
    assert f'href="/rooms/{resource.slug}/door"' in room_page
    site_page = client.get(f"/sites/{resource.site.slug}").get_data(as_text=True)
    assert f'href="/sites/{resource.site.slug}/door"' in site_page
