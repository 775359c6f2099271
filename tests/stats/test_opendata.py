"""Open data: the national-schema CSV validates with frictionless against the vendored
schema; the other files are parsed and compared with the database; nothing personal."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from booking.demo import seed_demo
from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Site
from booking.stats.opendata import MEDIATION_COLUMNS, e164, osm_opening_hours, spaceapi
from booking.timeutil import local_datetime, to_utc
from tests import factories

SCHEMA = Path(__file__).parent / "schemas" / "lieux-mediation-numerique.schema.json"
REQUIRED = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")


def _validate(text: str, tmp_path: Path):
    path = tmp_path / "lieux-mediation-numerique.csv"
    path.write_text(text, encoding="utf-8")
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_mediation_csv_validates_against_the_national_schema(scene, client, tmp_path):
    db.session.commit()
    response = client.get("/open-data/lieux-mediation-numerique.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    report = _validate(text, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert text.splitlines()[0].split(",") == [f["name"] for f in schema["fields"]]
    assert list(MEDIATION_COLUMNS) == [f["name"] for f in schema["fields"]]
    (row,) = _rows(text)
    assert all(row[name] for name in REQUIRED)
    assert row["pivot"] == "21290019500011"
    assert row["adresse"] == scene.site.address
    assert row["telephone"] == "+33298008080"
    assert row["horaires"] == "Mo-Su 09:00-12:00,14:00-18:00"
    assert row["services"] == (
        "Maîtrise des outils numériques du quotidien|Aide aux démarches administratives"
    )
    assert row["prise_rdv"].endswith(f"/sites/{scene.site.slug}")


def test_the_demonstration_places_all_validate(db, client, tmp_path):
    seed_demo()
    db.session.commit()
    text = client.get("/open-data/lieux-mediation-numerique.csv").get_data(as_text=True)
    report = _validate(text, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = _rows(text)
    assert len(rows) == db.session.query(Site).count()
    assert all(row[name] for row in rows for name in REQUIRED)
    assert all(", 29200 Brest" not in row["adresse"] for row in rows)


def test_a_schema_violation_is_caught(scene, client, tmp_path):
    """The validation can fail: a wrong postcode is reported."""
    scene.site.postcode = "2920"
    db.session.commit()
    text = client.get("/open-data/lieux-mediation-numerique.csv").get_data(as_text=True)
    assert not _validate(text, tmp_path).valid


def test_a_place_missing_required_fields_is_left_out_and_the_file_stays_valid(
    scene, client, tmp_path
):
    """A place with no SIRET/RNA or no postcode cannot fill the schema's required
    columns: it is left out rather than making the whole file invalid."""
    factories.make_site("Sans SIRET", postcode="29200")
    factories.make_site("Sans code postal", pivot="W291000123")
    db.session.commit()
    text = client.get("/open-data/lieux-mediation-numerique.csv").get_data(as_text=True)
    report = _validate(text, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [row["nom"] for row in _rows(text)] == [scene.site.name]


def test_the_open_data_page_names_the_places_left_out_and_what_they_lack(scene, client):
    factories.make_site("Sans SIRET", postcode="29200")
    factories.make_site("Sans rien").address = ""
    db.session.commit()
    english = client.get("/open-data/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 places are left out of this file" in english
    assert "Sans SIRET: missing the SIRET/RNA</li>" in english
    assert "Sans rien: missing the SIRET/RNA, the postcode, and the street address</li>" in english
    assert scene.site.name + ":" not in english
    french = client.get("/open-data/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "2 lieux sont absents de ce fichier" in french
    assert "Sans rien : il manque le SIRET/RNA, le code postal et l’adresse (rue)</li>" in french


def test_the_open_data_page_says_nothing_is_left_out_when_every_place_is_complete(scene, client):
    db.session.commit()
    html = client.get("/open-data/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "left out of this file" not in html


def test_only_the_schemas_telephone_prefixes_are_exported():
    assert e164("02 98 00 80 80") == "+33298008080"
    assert e164("+33 2 98 00 80 80") == "+33298008080"
    assert e164("+590 590 12 34 56") == "+590590123456"
    assert e164("+49 30 1234567") == ""  # valid elsewhere, refused by the schema's pattern
    assert e164("12") == ""


def test_opening_hours_in_openstreetmap_syntax():
    def ranges(*items):
        return [OpeningHours(weekday=d, opens_at=time(*o), closes_at=time(*c)) for d, o, c in items]

    week = [(d, (9,), (12, 30)) for d in range(5)] + [(d, (13, 30), (21,)) for d in range(5)]
    assert (
        osm_opening_hours(ranges(*week, (5, (9,), (12, 30))))
        == "Mo-Fr 09:00-12:30,13:30-21:00; Sa 09:00-12:30"
    )
    assert osm_opening_hours(ranges((1, (10,), (19,)), (2, (10,), (19,)), (4, (14,), (18,)))) == (
        "Tu,We 10:00-19:00; Fr 14:00-18:00"
    )
    assert osm_opening_hours([]) == ""


def test_phone_numbers_in_international_form():
    assert e164("02 98 00 80 80") == "+33298008080"
    assert e164("+33 2 98 00 80 80") == "+33298008080"
    assert e164("accueil") == ""


def test_resources_csv_and_json_match_the_database(scene, client):
    factories.make_resource(scene.site, name="Cachée", slug="cachee", is_bookable=False)
    db.session.commit()
    records = json.loads(client.get("/open-data/resources.json").get_data(as_text=True))
    assert [r["slug"] for r in records] == ["salle-a", "salle-b"]
    a = records[0]
    assert a["kind"] == "visio_room"
    assert a["capacity"] == scene.room_a.capacity
    assert a["site"] == scene.site.name
    rows = _rows(client.get("/open-data/resources.csv").get_data(as_text=True))
    assert [r["slug"] for r in rows] == ["salle-a", "salle-b"]
    assert rows[1]["kind"] == "room"


def test_sites_geojson_has_points_with_their_resources(scene, client):
    db.session.commit()
    data = json.loads(client.get("/open-data/sites.geojson").get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-4.5033, 48.4022]}
    assert [r["slug"] for r in feature["properties"]["resources"]] == ["salle-a", "salle-b"]
    assert feature["properties"]["opening_hours"] == "Mo-Su 09:00-12:00,14:00-18:00"


def test_occupancy_csv_is_monthly_and_holds_nothing_personal(scene, client, monkeypatch):
    db.session.commit()
    monkeypatch.setattr("booking.stats.views.local_today", lambda: datetime(2027, 4, 15).date())
    text = client.get("/open-data/occupancy.csv").get_data(as_text=True)
    rows = _rows(text)
    march = {r["resource"]: r for r in rows if r["month"] == "2027-03"}
    assert len(rows) == 12 * 2
    # Salle A in March 2027: 31 days x 7 h - 4 h closed; booked 2 (26th) + 2 + 1.5 + 1 (30th) h.
    assert march["Salle A"]["open_hours"] == f"{31 * 7 - 4:.2f}"
    assert march["Salle A"]["booked_hours"] == "6.50"
    # Salle B: four Sundays in March 2027, 3 h each except 2 h on the 28th.
    assert march["Salle B"]["open_hours"] == "11.00"
    for private in ("Ar Vro", "Bro Brest", "Cyber Kerourien", "Plus besoin", "Réunion", "@"):
        assert private not in text


def test_spaceapi_follows_opening_hours_and_closures(db, client):
    site = factories.make_site(
        "Tyfab", hours={2: [(time(14), time(18))]}, latitude=48.4, longitude=-4.48
    )
    factories.make_resource(site, kind="machine", name="Découpe laser", slug="laser")
    db.session.commit()
    urls = {"site": "https://example.org/s", "logo": "https://example.org/logo.svg"}
    wednesday_3pm = to_utc(local_datetime(datetime(2027, 3, 31).date(), time(15)))
    assert spaceapi(site, wednesday_3pm, urls)["state"]["open"] is True
    assert spaceapi(site, wednesday_3pm.replace(hour=20), urls)["state"]["open"] is False
    db.session.add(
        Closure(
            site_id=site.id,
            start_at=datetime(2027, 3, 31, tzinfo=UTC),
            end_at=datetime(2027, 4, 1, tzinfo=UTC),
            label="Inventaire",
        )
    )
    db.session.commit()
    status = spaceapi(site, wednesday_3pm, urls)
    assert status["state"] == {"open": False, "message": "Inventaire"}
    assert status["api_compatibility"] == ["14", "15"]
    response = client.get(f"/open-data/spaceapi/{site.slug}.json")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["space"] == "Tyfab"


def test_spaceapi_is_only_for_makerspaces(scene, client):
    db.session.commit()
    assert client.get(f"/open-data/spaceapi/{scene.site.slug}.json").status_code == 404
    assert client.get("/open-data/spaceapi/nowhere.json").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_open_data_page_documents_the_files_and_the_licence(scene, client, lang):
    db.session.commit()
    html = client.get("/open-data/", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "etalab.gouv.fr/licence-ouverte" in html
    for name in (
        "lieux-mediation-numerique.csv",
        "sites.geojson",
        "resources.csv",
        "occupancy.csv",
    ):
        assert name in html
    assert ("Données ouvertes" if lang == "fr" else "Open data") in html
