"""Open-data exports: the national schema of places of digital inclusion, GeoJSON, the
resources, monthly occupancy, and each makerspace's SpaceAPI status. Nothing personal:
no user, no association, no booking title ever leaves through these files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.resources.mediation import SEPARATOR, split_values
from booking.resources.models import (
    Closure,
    OpeningHours,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
)
from booking.stats import rollup
from booking.stats.cache import cached, calendar_keys
from booking.stats.exports import number, to_csv
from booking.stats.figures import HOUR
from booking.stats.openhours import is_open_at, open_seconds
from booking.stats.period import Period, month_period
from booking.stats.queries import per_resource

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

# LaMednum/standard-mediation-num v1.0.x, in the schema's order (tests/stats/schemas/).
MEDIATION_COLUMNS = (
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
)
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
RESOURCE_COLUMNS = (
    "id",
    "slug",
    "name",
    "kind",
    "site",
    "site_slug",
    "capacity",
    "wheelchair_accessible",
    "requires_approval",
    "equipment",
    "url",
)
OCCUPANCY_COLUMNS = ("month", "resource", "site", "kind", "open_hours", "booked_hours", "occupancy")


def osm_opening_hours(ranges: Sequence[OpeningHours]) -> str:
    """Weekly hours in OpenStreetMap `opening_hours` syntax: "Mo-Fr 09:00-12:30,13:30-21:00; Sa 09:00-12:30".

    Consecutive weekdays with the same ranges are written as one rule.
    """
    by_day: dict[int, list[str]] = defaultdict(list)
    for item in sorted(ranges, key=lambda r: (r.weekday, r.opens_at)):
        by_day[item.weekday].append(f"{item.opens_at:%H:%M}-{item.closes_at:%H:%M}")
    rules, day = [], 0
    while day < 7:
        if not by_day.get(day):
            day += 1
            continue
        last = day
        while last + 1 < 7 and by_day.get(last + 1) == by_day[day]:
            last += 1
        days = OSM_DAYS[day] if last == day else f"{OSM_DAYS[day]}-{OSM_DAYS[last]}"
        if last == day + 1:
            days = f"{OSM_DAYS[day]},{OSM_DAYS[last]}"
        rules.append(f"{days} {','.join(by_day[day])}")
        day = last + 1
    return "; ".join(rules)


# The schema's `telephone` pattern: French and overseas prefixes only, then 6 to 9 digits.
TELEPHONE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")


def e164(phone: str | None) -> str:
    """A French number as the schema wants it: "02 98 00 80 80" -> "+33298008080".

    A number the schema's pattern refuses (another country's) is left out, not exported.
    """
    digits = re.sub(r"[^\d+]", "", phone or "")
    if re.fullmatch(r"0\d{9}", digits):
        digits = "+33" + digits[1:]
    return digits if TELEPHONE.match(digits) else ""


def street(site: Site) -> str:
    """The address without its trailing ", 29200 Brest" (the schema has its own columns)."""
    address = site.address or ""
    if site.postcode:
        address = re.sub(rf",?\s*{site.postcode}\s+{re.escape(site.city)}\s*$", "", address)
    return address.strip().rstrip(",")


def _sites() -> list[Site]:
    return list(
        db.session.scalars(
            select(Site).options(selectinload(Site.opening_hours)).order_by(Site.name)
        )
    )


# The schema's required fields a place may lack, as the admin and /open-data/ name them.
MISSING_FIELD_LABELS = {
    "pivot": _l("the SIRET/RNA"),
    "postcode": _l("the postcode"),
    "street": _l("the street address"),
}


def missing_fields(site: Site) -> list[str]:
    """The schema's required fields (SIRET or RNA, postcode, street) the site lacks."""
    present = {"pivot": site.pivot, "postcode": site.postcode, "street": street(site)}
    return [name for name, value in present.items() if not value]


def missing_fields_text(site: Site) -> str:
    """The missing fields in words of the current language: "the SIRET/RNA and the postcode"."""
    labels = [str(MISSING_FIELD_LABELS[name]) for name in missing_fields(site)]
    return format_list(labels, locale=get_locale() or "en") if labels else ""


def is_publishable(site: Site) -> bool:
    """Whether the site has what the schema requires (SIRET or RNA, postcode, street):
    a row without them would make the whole file invalid, so such a site is left out."""
    return not missing_fields(site)


def left_out_of_mediation() -> list[Site]:
    """The places `mediation_csv` leaves out (said on /open-data/), by name."""
    return [site for site in _sites() if not is_publishable(site)]


def mediation_csv(site_url: Callable[[Site], str], updated_on: date) -> str:
    """Every site that has the required fields, one row each, in the national schema's
    columns and order."""
    rows = []
    for site in filter(is_publishable, _sites()):
        values = dict.fromkeys(MEDIATION_COLUMNS, "")
        values |= {
            "id": f"salles-ouvertes-{site.slug}",
            "pivot": site.pivot or "",
            "nom": site.name,
            "commune": site.city,
            "code_postal": site.postcode or "",
            "code_insee": site.insee_code or "",
            "adresse": street(site),
            "latitude": "" if site.latitude is None else f"{site.latitude:.6f}",
            "longitude": "" if site.longitude is None else f"{site.longitude:.6f}",
            "telephone": e164(site.contact_phone),
            "courriels": site.contact_email or "",
            "site_web": site.website or "",
            "horaires": osm_opening_hours(site.opening_hours),
            "presentation_resume": (site.description or "")[:280],
            "source": "Salles Ouvertes",
            "itinerance": "Fixe",
            "date_maj": updated_on.isoformat(),
            "services": SEPARATOR.join(split_values(site.services)),
            "frais_a_charge": SEPARATOR.join(split_values(site.fees)),
            "modalites_acces": SEPARATOR.join(split_values(site.access_modes)),
            "prise_rdv": site_url(site),
        }
        rows.append([values[column] for column in MEDIATION_COLUMNS])
    return to_csv(MEDIATION_COLUMNS, rows)


def _resources() -> list[Resource]:
    return list(
        db.session.scalars(
            select(Resource)
            .where(Resource.is_bookable.is_(True))
            .options(
                selectinload(Resource.site),
                selectinload(Resource.equipment).joinedload(ResourceEquipment.equipment),
            )
            .order_by(Resource.site_id, Resource.name)
        )
    )


def resource_record(resource: Resource, url: str) -> dict:
    return {
        "id": resource.id,
        "slug": resource.slug,
        "name": resource.name,
        "kind": resource.kind.value,
        "site": resource.site.name,
        "site_slug": resource.site.slug,
        "capacity": resource.capacity,
        "wheelchair_accessible": resource.wheelchair_accessible,
        "requires_approval": resource.requires_approval,
        "equipment": sorted(item.equipment.name for item in resource.equipment),
        "url": url,
    }


def resources_records(resource_url: Callable[[Resource], str]) -> list[dict]:
    return [resource_record(r, resource_url(r)) for r in _resources()]


def resources_csv(records: list[dict]) -> str:
    rows = []
    for record in records:
        row = dict(record)
        row["equipment"] = SEPARATOR.join(record["equipment"])
        row["wheelchair_accessible"] = "true" if record["wheelchair_accessible"] else "false"
        row["requires_approval"] = "true" if record["requires_approval"] else "false"
        rows.append([row[column] for column in RESOURCE_COLUMNS])
    return to_csv(RESOURCE_COLUMNS, rows)


def sites_geojson(site_url: Callable[[Site], str], resource_url: Callable[[Resource], str]) -> dict:
    """Sites as GeoJSON points (longitude, latitude) with their bookable resources."""
    by_site: dict[int, list[dict]] = defaultdict(list)
    for resource in _resources():
        record = resource_record(resource, resource_url(resource))
        del record["site"], record["site_slug"]
        by_site[resource.site_id].append(record)
    features = []
    for site in _sites():
        if site.latitude is None or site.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
                "properties": {
                    "slug": site.slug,
                    "name": site.name,
                    "address": site.address,
                    "neighbourhood": site.neighbourhood,
                    "wheelchair_accessible": site.is_wheelchair_accessible,
                    "opening_hours": osm_opening_hours(site.opening_hours),
                    "url": site_url(site),
                    "resources": by_site.get(site.id, []),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _monthly_counts(resources: Sequence[Resource], period: Period) -> dict:
    """A month's per-resource figures: from the statistics rollup, else the bookings."""
    sums = rollup.period_sums(resources, period)
    if sums is not None:
        return sums.counts
    return per_resource([r.id for r in resources], period, None)


def occupancy_csv(months: Sequence[date]) -> str:
    """Monthly booked hours and occupancy per bookable resource: no names of people or
    associations, no titles; the same figures as the statistics pages."""
    resources = _resources()
    rows = []
    calendars = calendar_keys(resources)
    for month in months:
        period = month_period(month)
        counts, opened = cached(
            "occupancy",
            (period, calendars),
            lambda period=period: (
                _monthly_counts(resources, period),
                open_seconds(resources, period),
            ),
        )
        for resource in resources:
            booked = float(counts.get(resource.id, {}).get("approved_seconds", 0))
            seats = float(counts.get(resource.id, {}).get("seat_seconds", 0))
            open_for = opened.get(resource.id, 0.0)
            used = seats / resource.capacity if resource.kind is ResourceKind.OPEN_LAB else booked
            rows.append(
                (
                    month.strftime("%Y-%m"),
                    resource.name,
                    resource.site.name,
                    resource.kind.value,
                    number(open_for / HOUR),
                    number(booked / HOUR),
                    number(used / open_for if open_for > 0 else None, 4),
                )
            )
    return to_csv(OCCUPANCY_COLUMNS, rows)


MAKER_KINDS = (ResourceKind.MACHINE, ResourceKind.OPEN_LAB)


def is_makerspace(site: Site) -> bool:
    return any(r.kind in MAKER_KINDS for r in site.resources)


def makerspaces() -> list[Site]:
    sites = db.session.scalars(
        select(Site).options(selectinload(Site.resources)).order_by(Site.name)
    )
    return [site for site in sites if is_makerspace(site)]


def spaceapi(site: Site, now: datetime, urls: dict[str, str]) -> dict:
    """The SpaceAPI (v14/v15) status of a makerspace: open now from its opening hours and
    closures."""
    closures = db.session.scalars(
        select(Closure).where(
            Closure.site_id == site.id, Closure.start_at <= now, Closure.end_at > now
        )
    ).all()
    is_open = is_open_at(site.opening_hours, closures, now)
    message = closures[0].label if closures else osm_opening_hours(site.opening_hours)
    location = {"address": site.address, "timezone": "Europe/Paris"}
    if site.latitude is not None and site.longitude is not None:
        location |= {"lat": site.latitude, "lon": site.longitude}
    contact = {}
    if site.contact_email:
        contact["email"] = site.contact_email
    if site.contact_phone:
        contact["phone"] = e164(site.contact_phone) or site.contact_phone
    return {
        "api_compatibility": ["14", "15"],
        "space": site.name,
        "logo": urls["logo"],
        "url": urls["site"],
        "location": location,
        "contact": contact,
        "issue_report_channels": ["email"] if site.contact_email else [],
        "state": {"open": is_open, "message": message},
        "projects": [urls["site"]],
    }
