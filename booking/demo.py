"""Demonstration data: plausible Brest places, rooms, makerspaces, people and bookings.

Everything here is demonstration data (the places are inspired by Brest's
public digital policy, the accounts use example.org); `seed_demo` is
idempotent: it adds what is missing and changes nothing that exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from sqlalchemy import func, select

from booking.admin.services import slugify
from booking.auth.models import Association, Membership, MembershipRole, User, user_by_email
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import (
    Closure,
    Equipment,
    OpeningHours,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
    Training,
    UserTraining,
)
from booking.timeutil import local_datetime, local_today, to_utc

DEMO_PASSWORD = "demo-password"

EQUIPMENT = [  # slug, French name, English name, category
    ("kit-visio", "Kit de visioconférence (codec)", "Videoconference kit (codec)", "visio"),
    ("ecran", "Grand écran", "Large screen", "affichage"),
    ("videoprojecteur", "Vidéoprojecteur", "Projector", "affichage"),
    ("camera", "Caméra grand angle", "Wide-angle camera", "visio"),
    ("pieuvre", "Pieuvre de conférence (micro-haut-parleur)", "Conference speakerphone", "audio"),
    ("wifi", "Wi-Fi", "Wi-Fi", "réseau"),
    ("ordinateur", "Ordinateur portable", "Laptop", "informatique"),
    ("tableau-blanc", "Tableau blanc", "Whiteboard", "mobilier"),
    ("boucle-magnetique", "Boucle magnétique", "Hearing loop", "accessibilité"),
    ("decoupe-laser", "Découpeuse laser 60 W", "60 W laser cutter", "machine"),
    ("imprimante-3d", "Imprimante 3D", "3D printer", "machine"),
    ("fraiseuse", "Fraiseuse numérique (CNC)", "CNC milling machine", "machine"),
    ("plotter", "Découpeuse vinyle", "Vinyl cutter", "machine"),
]

WEEKDAYS = range(0, 5)


@dataclass
class SiteSpec:
    slug: str
    name: str
    neighbourhood: str
    address: str
    lat: float
    lon: float
    transport: str
    accessible: bool
    hours: dict[int, list[tuple[str, str]]]
    rooms: list[dict] = field(default_factory=list)
    description: str = ""


def _weekdays(*ranges: tuple[str, str], days: range | tuple = WEEKDAYS) -> dict:
    return {d: list(ranges) for d in days}


VISIO = ["kit-visio", "ecran", "camera", "pieuvre", "wifi"]

SITES: list[SiteSpec] = [
    SiteSpec(
        "maison-quartier-bellevue",
        "Maison de quartier de Bellevue",
        "Bellevue",
        "1 rue Pierre Trépos, 29200 Brest",
        48.4022,
        -4.5033,
        "Tram A, arrêt « Bellevue »",
        True,
        _weekdays(("09:00", "12:30"), ("13:30", "21:00")) | {5: [("09:00", "12:30")]},
        [
            {
                "name": "Salle visio Bellevue 1",
                "capacity": 12,
                "equipment": [*VISIO, "tableau-blanc"],
            },
            {"name": "Salle visio Bellevue 2", "capacity": 6, "equipment": VISIO},
        ],
        "Maison de quartier ouverte aux habitants et aux associations.",
    ),
    SiteSpec(
        "mediatheque-capucins",
        "Médiathèque des Capucins",
        "Recouvrance",
        "25 rue de Pontaniou, 29200 Brest",
        48.3857,
        -4.4998,
        "Téléphérique, station « Ateliers des Capucins » ; tram A « Capucins »",
        True,
        _weekdays(("10:00", "19:00"), days=(1, 2, 3, 4, 5)),
        [
            {
                "name": "Salle visio des Capucins",
                "capacity": 20,
                "equipment": [*VISIO, "videoprojecteur", "boucle-magnetique"],
            },
            {
                "name": "Cabine visio des Capucins",
                "capacity": 2,
                "equipment": ["kit-visio", "ecran", "camera", "wifi"],
                "requires_approval": False,
            },
        ],
    ),
    SiteSpec(
        "cantine-numerique",
        "Cantine numérique",
        "Recouvrance",
        "Ateliers des Capucins, 25 rue de Pontaniou, 29200 Brest",
        48.3860,
        -4.5003,
        "Tram A, arrêt « Capucins »",
        True,
        _weekdays(("09:00", "20:00")),
        [
            {
                "name": "Salle visio de la Cantine",
                "capacity": 15,
                "equipment": [*VISIO, "videoprojecteur", "ordinateur"],
            }
        ],
    ),
    SiteSpec(
        "centre-social-kerourien",
        "Centre social de Kerourien",
        "Kerourien",
        "8 rue Jules Lesven, 29200 Brest",
        48.4081,
        -4.4794,
        "Bus 3, arrêt « Kerourien »",
        True,
        _weekdays(("09:00", "12:00"), ("14:00", "19:00")),
        [
            {"name": "Salle visio Kerourien", "capacity": 10, "equipment": VISIO},
            {
                "name": "Point d'accès public Kerourien",
                "capacity": 4,
                "equipment": ["kit-visio", "ordinateur", "wifi"],
                "requires_approval": False,
            },
        ],
    ),
    SiteSpec(
        "maison-quartier-lambezellec",
        "Maison de quartier de Lambézellec",
        "Lambézellec",
        "Rue Victor Eusen, 29200 Brest",
        48.4147,
        -4.4904,
        "Bus 5, arrêt « Lambézellec Bourg »",
        False,
        _weekdays(("09:00", "22:00")),
        [
            {
                "name": "Salle visio Lambézellec",
                "capacity": 14,
                "equipment": [*VISIO, "tableau-blanc"],
            }
        ],
    ),
    SiteSpec(
        "patronage-saint-martin",
        "Maison de quartier de Saint-Martin",
        "Saint-Martin",
        "Rue de Savoie, 29200 Brest",
        48.3995,
        -4.4881,
        "Tram A, arrêt « Saint-Martin »",
        True,
        _weekdays(("09:00", "21:00")),
        [{"name": "Salle visio Saint-Martin", "capacity": 8, "equipment": VISIO}],
    ),
    SiteSpec(
        "mediatheque-europe",
        "Médiathèque de l'Europe",
        "Europe",
        "Place Vinet, 29200 Brest",
        48.4014,
        -4.4634,
        "Bus 1, arrêt « Europe »",
        True,
        _weekdays(("10:00", "18:00"), days=(1, 2, 3, 4, 5)),
        [
            {
                "name": "Salle visio de l'Europe",
                "capacity": 12,
                "equipment": [*VISIO, "boucle-magnetique"],
            }
        ],
    ),
    SiteSpec(
        "maison-quartier-pontanezen",
        "Maison de quartier de Pontanézen",
        "Pontanézen",
        "Rue Saint-Saëns, 29200 Brest",
        48.4128,
        -4.4700,
        "Tram A, arrêt « Pontanézen »",
        True,
        _weekdays(("09:00", "20:00")),
        [
            {"name": "Salle visio Pontanézen", "capacity": 10, "equipment": VISIO},
            {
                "name": "PAPI Pontanézen",
                "capacity": 4,
                "equipment": ["kit-visio", "ordinateur", "wifi"],
                "requires_approval": False,
            },
        ],
    ),
    SiteSpec(
        "centre-social-keredern",
        "Centre social de Keredern",
        "Keredern",
        "Rue du Professeur Langevin, 29200 Brest",
        48.4174,
        -4.4510,
        "Bus 2, arrêt « Keredern »",
        False,
        _weekdays(("09:00", "18:00")),
        [{"name": "Salle visio Keredern", "capacity": 8, "equipment": VISIO}],
    ),
    SiteSpec(
        "maison-quartier-valy-hir",
        "Maison de quartier du Valy-Hir",
        "Saint-Pierre",
        "Rue du Valy-Hir, 29200 Brest",
        48.3902,
        -4.5356,
        "Bus 4, arrêt « Valy-Hir »",
        True,
        _weekdays(("09:00", "21:00")),
        [
            {"name": "Salle visio Valy-Hir", "capacity": 12, "equipment": VISIO},
            {"name": "Salle visio Quatre-Moulins", "capacity": 6, "equipment": VISIO},
        ],
    ),
]

MAKERSPACES: list[SiteSpec] = [
    SiteSpec(
        "tyfab",
        "Tyfab, lieu de fabrication numérique",
        "Quatre-Moulins",
        "Rue de Maissin, 29200 Brest",
        48.3936,
        -4.5168,
        "Bus 4, arrêt « Quatre-Moulins »",
        True,
        _weekdays(("10:00", "18:00"), days=(1, 2, 3, 4, 5)) | {3: [("10:00", "21:00")]},
        [
            {
                "name": "Découpeuse laser du Tyfab",
                "kind": "machine",
                "equipment": ["decoupe-laser"],
                "training": "laser",
                "step": 60,
                "fixed": True,
            },
            {
                "name": "Imprimantes 3D du Tyfab",
                "kind": "machine",
                "equipment": ["imprimante-3d"],
                "qty": {"imprimante-3d": 2},
                "step": 60,
                "max": 240,
            },
            {
                "name": "Découpeuse vinyle du Tyfab",
                "kind": "machine",
                "equipment": ["plotter"],
                "step": 30,
                "max": 120,
            },
            {
                "name": "Atelier ouvert du jeudi (Tyfab)",
                "kind": "open_lab",
                "capacity": 12,
                "hours": {3: [("18:00", "21:00")]},
            },
        ],
        "Lieu de fabrication numérique ouvert aux habitants, aux associations et aux écoles.",
    ),
    SiteSpec(
        "fabriques-du-ponant",
        "Les Fabriques du Ponant",
        "Saint-Marc",
        "Lycée Vauban, rue de Kerichen, 29200 Brest",
        48.4005,
        -4.4760,
        "Bus 1, arrêt « Kerichen »",
        True,
        _weekdays(("14:00", "19:00"), days=(0, 1, 2, 3, 4)) | {5: [("10:00", "17:00")]},
        [
            {
                "name": "Fraiseuse numérique des Fabriques",
                "kind": "machine",
                "equipment": ["fraiseuse"],
                "training": "cnc",
                "step": 60,
                "max": 180,
            },
            {
                "name": "Imprimante 3D des Fabriques",
                "kind": "machine",
                "equipment": ["imprimante-3d"],
                "step": 60,
                "max": 240,
                "approval": False,
            },
            {
                "name": "Open lab du samedi (Fabriques du Ponant)",
                "kind": "open_lab",
                "capacity": 10,
                "hours": {5: [("14:00", "17:00")]},
            },
        ],
        "Espace de fabrication numérique soutenu par la ville, l'agglomération et la région.",
    ),
]

TRAININGS = {
    "laser": (
        "Sécurité découpeuse laser",
        "Formation d'une heure au Tyfab : réglages, matériaux interdits, sécurité incendie.",
        24,
    ),
    "cnc": (
        "Prise en main de la fraiseuse numérique",
        "Formation de deux heures aux Fabriques du Ponant.",
        12,
    ),
}

ASSOCIATIONS = [
    (
        "repair-cafe-bellevue",
        "Repair Café de Bellevue",
        "W291000001",
        "contact@repaircafe-bellevue.example.org",
    ),
    (
        "wiki-brest",
        "Wiki-Brest, la mémoire du pays de Brest",
        "W291000002",
        "contact@wiki-brest.example.org",
    ),
    (
        "club-informatique-lambe",
        "Club informatique de Lambézellec",
        None,
        "club@lambe-info.example.org",
    ),
    (
        "parents-kerourien",
        "Association des parents d'élèves de Kerourien",
        None,
        "ape@kerourien.example.org",
    ),
    (
        "brest-biens-communs",
        "Collectif Brest en biens communs",
        "W291000005",
        "bonjour@biens-communs.example.org",
    ),
]


def french_public_holidays(year: int) -> list[tuple[date, str]]:
    """The eleven French public holidays of a year (metropolitan France)."""
    easter_day = easter(year)
    return [
        (date(year, 1, 1), "Jour de l'an"),
        (easter_day + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (easter_day + timedelta(days=39), "Ascension"),
        (easter_day + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]


def _t(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _user(email: str, name: str, *, admin: bool = False) -> User:
    user = user_by_email(email)
    if user is None:
        user = User(email=email, display_name=name, is_admin=admin, locale="fr")
        user.set_password(DEMO_PASSWORD)
        user.email_confirmed_at = utcnow()
        db.session.add(user)
    return user


def _equipment() -> dict[str, Equipment]:
    existing = {e.slug: e for e in db.session.scalars(select(Equipment))}
    for slug, name, name_en, category in EQUIPMENT:
        if slug not in existing:
            existing[slug] = Equipment(slug=slug, name=name, name_en=name_en, category=category)
            db.session.add(existing[slug])
    return existing


# Open-data fields (national schema of places of digital inclusion). The city of Brest
# runs the public access points ("PAPI", "une fréquentation élevée, un besoin de plus en
# plus social"); the makerspaces are run by associations. Numbers are demonstration values.
CITY_SIRET = "21290019500011"  # Ville de Brest (SIREN 212 900 195)
CITY_PHONE = "02 98 00 80 80"
PAPI_SERVICES = (
    "Maîtrise des outils numériques du quotidien|Aide aux démarches administratives"
    "|Accès internet et matériel informatique"
)
LIBRARY_SERVICES = PAPI_SERVICES + "|Compréhension du monde numérique"
FAB_SERVICES = "Loisirs et créations numériques|Accès internet et matériel informatique"
FAB_OPEN_DATA = {
    "tyfab": {"pivot": "W294001234", "contact_phone": "02 98 46 00 01"},
    "fabriques-du-ponant": {"pivot": "81234567800017", "contact_phone": "02 98 80 00 02"},
}


def _open_data(spec: SiteSpec) -> dict:
    """The open-data fields of a demonstration site."""
    postcode = re.search(r"\b(\d{5})\b", spec.address)
    values = {
        "city": "Brest",
        "postcode": postcode.group(1) if postcode else "29200",
        "insee_code": "29019",
        "pivot": CITY_SIRET,
        "contact_phone": CITY_PHONE,
        "website": "https://www.brest.fr/",
        "services": LIBRARY_SERVICES if spec.slug.startswith("mediatheque") else PAPI_SERVICES,
        "fees": "Gratuit",
        "access_modes": "Se présenter|Téléphoner|Prendre un RDV en ligne",
    }
    if spec.slug in FAB_OPEN_DATA:
        values |= FAB_OPEN_DATA[spec.slug] | {
            "services": FAB_SERVICES,
            "fees": "Gratuit|Payant",
            "website": None,
        }
    return values


def _site(
    spec: SiteSpec,
    equipment: dict[str, Equipment],
    trainings: dict[str, Training],
    manager: User | None,
) -> Site:
    site = db.session.scalar(select(Site).where(Site.slug == spec.slug))
    if site is not None:
        return site
    site = Site(
        slug=spec.slug,
        name=spec.name,
        neighbourhood=spec.neighbourhood,
        address=spec.address,
        latitude=spec.lat,
        longitude=spec.lon,
        transport=spec.transport,
        is_wheelchair_accessible=spec.accessible,
        description=spec.description or None,
        contact_email=f"accueil@{spec.slug}.example.org",
        **_open_data(spec),
    )
    db.session.add(site)
    db.session.flush()
    for weekday, ranges in spec.hours.items():
        for opens, closes in ranges:
            db.session.add(
                OpeningHours(
                    site_id=site.id, weekday=weekday, opens_at=_t(opens), closes_at=_t(closes)
                )
            )
    for room in spec.rooms:
        kind = ResourceKind(room.get("kind", "visio_room"))
        step = room.get("step", 30)
        resource = Resource(
            site=site,
            kind=kind,
            name=room["name"],
            slug=slugify(room["name"]),
            capacity=room.get("capacity", 1),
            requires_approval=room.get(
                "requires_approval", room.get("approval", kind is not ResourceKind.OPEN_LAB)
            ),
            slot_step_minutes=step,
            min_duration_minutes=step if kind is not ResourceKind.OPEN_LAB else 60,
            max_duration_minutes=room.get("max", step if room.get("fixed") else 240),
            fixed_slots=room.get("fixed", False),
            min_notice_minutes=60 if kind is ResourceKind.VISIO_ROOM else 24 * 60,
            horizon_days=180 if kind is not ResourceKind.MACHINE else 60,
            required_training=trainings.get(room.get("training", "")),
        )
        if kind is ResourceKind.VISIO_ROOM:
            resource.description = (
                "Salle de visioconférence ouverte à toutes et à tous, sur réservation."
            )
        db.session.add(resource)
        for slug in room.get("equipment", []):
            qty = room.get("qty", {}).get(slug, 1)
            resource.equipment.append(ResourceEquipment(equipment=equipment[slug], quantity=qty))
        for weekday, ranges in room.get("hours", {}).items():
            for opens, closes in ranges:
                resource.opening_hours.append(
                    OpeningHours(weekday=weekday, opens_at=_t(opens), closes_at=_t(closes))
                )
        if manager is not None:
            resource.managers.append(manager)
    return site


def _trainings() -> dict[str, Training]:
    found = {}
    for key, (name, description, months) in TRAININGS.items():
        training = db.session.scalar(select(Training).where(Training.name == name))
        if training is None:
            training = Training(name=name, description=description, validity_months=months)
            db.session.add(training)
        found[key] = training
    return found


def _holidays(sites: list[Site], years: list[int]) -> None:
    for site in sites:
        have = set(
            db.session.scalars(
                select(Closure.start_at).where(
                    Closure.site_id == site.id, Closure.source == "holiday"
                )
            )
        )
        for year in years:
            for day, label in french_public_holidays(year):
                start = to_utc(datetime.combine(day, time.min))
                if start in have:
                    continue
                db.session.add(
                    Closure(
                        site_id=site.id,
                        start_at=start,
                        end_at=to_utc(datetime.combine(day + timedelta(days=1), time.min)),
                        label=label,
                        source="holiday",
                    )
                )


def _associations(member: User) -> list[Association]:
    found = []
    for slug, name, number, email in ASSOCIATIONS:
        assoc = db.session.scalar(select(Association).where(Association.slug == slug))
        if assoc is None:
            assoc = Association(
                slug=slug,
                name=name,
                registration_number=number,
                contact_email=email,
                is_active=True,
                validated_at=utcnow(),
            )
            db.session.add(assoc)
        found.append(assoc)
    db.session.flush()
    first = found[0]
    if not member.is_member_of(first):
        member.memberships.append(Membership(association=first, role=MembershipRole.ADMIN))
    return found


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def _demo_bookings(associations: list[Association], requester: User, manager: User) -> None:
    """A few bookings next week so that calendars are not empty on a first look."""
    if db.session.scalar(select(func.count(Booking.id))):
        return
    rooms = {r.slug: r for r in db.session.scalars(select(Resource))}
    today = local_today()
    plan = [
        (
            "salle-visio-bellevue-1",
            1,
            "10:00",
            "12:00",
            0,
            BookingState.APPROVED,
            "Réunion du Repair Café",
            True,
        ),
        (
            "salle-visio-bellevue-1",
            3,
            "18:00",
            "20:00",
            1,
            BookingState.PENDING,
            "Atelier contributif Wiki-Brest",
            True,
        ),
        (
            "salle-visio-des-capucins",
            2,
            "10:00",
            "12:00",
            4,
            BookingState.APPROVED,
            "Assemblée générale (visio)",
            False,
        ),
        (
            "salle-visio-kerourien",
            1,
            "09:30",
            "11:00",
            3,
            BookingState.PENDING,
            "Conseil d'administration",
            False,
        ),
        (
            "salle-visio-lambezellec",
            4,
            "14:00",
            "17:00",
            2,
            BookingState.APPROVED,
            "Initiation à la visioconférence",
            True,
        ),
    ]
    for slug, weekday, start, end, assoc_index, state, title, public in plan:
        resource = rooms.get(slug)
        if resource is None:
            continue
        day = _next_weekday(today, weekday)
        booking = Booking(
            resource=resource,
            association=associations[assoc_index],
            requester=requester,
            title=title,
            purpose="Données de démonstration.",
            attendees=min(6, resource.capacity),
            is_public=public,
            state=state,
            exclusive=resource.is_exclusive,
            start_at=local_datetime(day, _t(start)),
            end_at=local_datetime(day, _t(end)),
        )
        if state is BookingState.APPROVED:
            booking.decided_by = manager
            booking.decided_at = utcnow()
        db.session.add(booking)


def seed_demo() -> dict[str, int]:
    """Add the demonstration data that is missing. Returns counts of what exists afterwards."""
    admin = _user("admin@example.org", "Administratrice de démonstration", admin=True)
    manager = _user("gestionnaire@example.org", "Gestionnaire de démonstration")
    member = _user("association@example.org", "Membre d'association de démonstration")
    db.session.flush()
    equipment = _equipment()
    trainings = _trainings()
    db.session.flush()
    sites = []
    for index, spec in enumerate(SITES + MAKERSPACES):
        # The demo manager runs the first three visio places and the Tyfab.
        runs = index < 3 or spec.slug == "tyfab"
        sites.append(_site(spec, equipment, trainings, manager if runs else None))
    db.session.flush()
    this_year = local_today().year
    _holidays(sites, [this_year, this_year + 1])
    associations = _associations(member)
    if not db.session.scalar(select(func.count(UserTraining.id))):
        db.session.add(
            UserTraining(
                user_id=member.id,
                training_id=trainings["laser"].id,
                obtained_on=local_today() - timedelta(days=30),
                expires_on=local_today() + timedelta(days=700),
                granted_by_id=manager.id,
            )
        )
    _demo_bookings(associations, member, manager)
    db.session.flush()
    return {
        "sites": db.session.scalar(select(func.count(Site.id))) or 0,
        "resources": db.session.scalar(select(func.count(Resource.id))) or 0,
        "visio_rooms": db.session.scalar(
            select(func.count(Resource.id)).where(Resource.kind == ResourceKind.VISIO_ROOM)
        )
        or 0,
        "users": db.session.scalar(select(func.count(User.id))) or 0,
        "associations": len(associations),
        "admins": int(admin.is_admin),
    }
