"""Closures imported from .ics files: every VEVENT a closure, bad files refused whole."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from booking.audit import AuditEvent
from booking.calendars.importer import ImportRefusedError, import_closures, parse_closures
from booking.extensions import db
from booking.resources.models import Closure

HOLIDAYS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//Jours fériés//FR\r
BEGIN:VEVENT\r
UID:noel-2026@example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20261225\r
DTEND;VALUE=DATE:20261226\r
SUMMARY:Noël\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:toussaint-2026@example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20261101\r
SUMMARY:Toussaint\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:vacances@example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20261017\r
DTEND;VALUE=DATE:20261102\r
SUMMARY:Vacances de la Toussaint\\, zone B\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:travaux@example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Paris:20261028T140000\r
DTEND;TZID=Europe/Paris:20261028T170000\r
SUMMARY:Travaux électriques\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:utc@example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART:20261110T080000Z\r
DURATION:PT2H\r
SUMMARY:Inventaire\r
END:VEVENT\r
END:VCALENDAR\r
"""


def ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@x\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n"
        for n, e in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{body}END:VCALENDAR\r\n".encode()


def test_every_event_becomes_a_closed_period_all_day_ones_from_local_midnight():
    spans = parse_closures(HOLIDAYS.encode())
    by_label = {s.label: s for s in spans}
    assert len(spans) == 5
    noel = by_label["Noël"]
    assert (noel.start_at, noel.end_at) == (
        datetime(2026, 12, 24, 23, tzinfo=UTC),
        datetime(2026, 12, 25, 23, tzinfo=UTC),
    )
    # No DTEND on an all-day event: one day.
    toussaint = by_label["Toussaint"]
    assert toussaint.end_at - toussaint.start_at == (
        datetime(2026, 11, 1, 23, tzinfo=UTC) - datetime(2026, 10, 31, 23, tzinfo=UTC)
    )
    # Across the October clock change: local midnight to local midnight (one 25-hour day).
    holidays = by_label["Vacances de la Toussaint, zone B"]
    assert holidays.start_at == datetime(2026, 10, 16, 22, tzinfo=UTC)
    assert holidays.end_at == datetime(2026, 11, 1, 23, tzinfo=UTC)
    works = by_label["Travaux électriques"]
    assert works.start_at == datetime(2026, 10, 28, 13, tzinfo=UTC)
    inventory = by_label["Inventaire"]
    assert (inventory.start_at, inventory.end_at) == (
        datetime(2026, 11, 10, 8, tzinfo=UTC),
        datetime(2026, 11, 10, 10, tzinfo=UTC),
    )


def test_floating_times_are_read_as_local_time():
    (span,) = parse_closures(
        ics("DTSTART:20260715T090000\r\nDTEND:20260715T120000\r\nSUMMARY:Été\r\n")
    )
    assert span.start_at == datetime(2026, 7, 15, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"Nom;Date\r\nNoel;2026-12-25\r\n", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no event"),
        (ics("SUMMARY:Sans date\r\n"), "no start"),
        (ics("DTSTART:20261301T250000\r\nSUMMARY:Mauvaise date\r\n"), "Mauvaise date"),
        (ics("DTSTART:20261010T100000Z\r\nSUMMARY:Sans fin\r\n"), "no end"),
        (
            ics("DTSTART:20261010T100000Z\r\nDTEND:20261010T090000Z\r\nSUMMARY:À l'envers\r\n"),
            "ends before it starts",
        ),
        (
            ics("DTSTART;VALUE=DATE:20261010\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Chaque année\r\n"),
            "RRULE",
        ),
        (
            ics("DTSTART;VALUE=PERIOD:20261010T100000Z/20261010T120000Z\r\nSUMMARY:Période\r\n"),
            "start",
        ),
        (
            ics("DTSTART;VALUE=DATE:20261010\r\nDTEND:20261011T100000Z\r\nSUMMARY:Mélange\r\n"),
            "mixes",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_message_naming_the_problem(data, problem):
    with pytest.raises(ImportRefusedError) as refused:
        parse_closures(data)
    assert problem in refused.value.message


def test_the_problem_names_the_event_at_fault(app):
    good = "DTSTART;VALUE=DATE:20261010\r\nSUMMARY:Bon\r\n"
    bad = "DTSTART;VALUE=DATE:20261012\r\nDTEND;VALUE=DATE:20261011\r\nSUMMARY:Fête du port\r\n"
    with pytest.raises(ImportRefusedError) as refused:
        parse_closures(ics(good, bad))
    assert "2" in refused.value.message
    assert "Fête du port" in refused.value.message


def _closures() -> int:
    return db.session.scalar(select(func.count(Closure.id)))


def test_import_adds_closures_to_a_managed_site_and_skips_those_already_there(make_site, make_user):
    manager = make_user()
    site = make_site()
    site.managers.append(manager)
    db.session.flush()

    created = import_closures(manager, HOLIDAYS.encode(), site=site)
    again = import_closures(manager, HOLIDAYS.encode(), site=site)

    assert len(created) == 5
    assert again == []
    assert _closures() == 5
    assert {c.source for c in created} == {"import"}
    assert all(c.site_id == site.id and c.resource_id is None for c in created)
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "import"))
        == 5
    )


def test_import_is_refused_to_someone_who_does_not_manage_the_place(app, make_resource, make_user):
    with app.test_request_context(), pytest.raises(ImportRefusedError):
        import_closures(make_user(), HOLIDAYS.encode(), resource=make_resource())
    assert _closures() == 0


def test_import_page_imports_everything_or_nothing(client, login, make_resource, make_user):
    manager = make_user()
    resource = make_resource(managers=[manager])
    db.session.commit()
    login(manager)
    page = client.get("/manage/closures/import")
    assert page.status_code == 200
    assert f'value="resource:{resource.id}"' in page.get_data(as_text=True)

    bad = ics("DTSTART;VALUE=DATE:20261010\r\nSUMMARY:Bon\r\n", "SUMMARY:Sans date\r\n")
    response = client.post(
        "/manage/closures/import",
        data={"target": f"resource:{resource.id}", "file": (io.BytesIO(bad), "fermetures.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "DTSTART" in response.get_data(as_text=True)
    assert _closures() == 0

    response = client.post(
        "/manage/closures/import",
        data={
            "target": f"resource:{resource.id}",
            "file": (io.BytesIO(HOLIDAYS.encode()), "feries.ics"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "5" in response.get_data(as_text=True)
    assert _closures() == 5


def test_import_page_refuses_places_not_managed_and_people_who_manage_nothing(
    client, login, make_resource, make_user
):
    manager = make_user()
    make_resource(managers=[manager])
    other = make_resource()
    nobody = make_user()
    db.session.commit()
    login(manager)
    response = client.post(
        "/manage/closures/import",
        data={"target": f"resource:{other.id}", "file": (io.BytesIO(HOLIDAYS.encode()), "f.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # not a valid choice: the form says so
    assert _closures() == 0
    login(nobody)
    assert client.get("/manage/closures/import").status_code == 403


def test_import_page_wants_an_ics_file(client, login, make_resource, make_user):
    manager = make_user()
    resource = make_resource(managers=[manager])
    db.session.commit()
    login(manager)
    response = client.post(
        "/manage/closures/import",
        data={"target": f"resource:{resource.id}", "file": (io.BytesIO(b"x"), "notes.txt")},
        content_type="multipart/form-data",
    )
    assert "has-error" in response.get_data(as_text=True)
    assert _closures() == 0
