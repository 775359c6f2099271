"""Helpers for the calendar tests: a fixed clock and three independent iCalendar parsers.

Every feed is read by `icalendar` (what we write with), by `vobject`, and by
Mozilla's `ical.js` (Thunderbird's parser) under Node.js; the tests check that
all three agree on each event's instant in UTC.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "tests" / "js"
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # the tests' "now": feeds' windows hang on it


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Freeze the feeds' clock at NOW (tests never depend on today's date)."""
    monkeypatch.setattr("booking.calendars.views.utcnow", lambda: NOW)
    return NOW


@pytest.fixture(autouse=True)
def _empty_feed_cache(app) -> None:
    app.extensions["feed_cache"].clear()
    app.extensions["feed_event_cache"].clear()


def _utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, f"floating time {value!r}"
    return value.astimezone(UTC)


def parse_icalendar(data: bytes) -> list[dict]:
    cal = Calendar.from_ical(data)
    return [
        {
            "uid": str(e["UID"]),
            "start": _utc(e.decoded("DTSTART")),
            "end": _utc(e.decoded("DTEND")),
            "summary": str(e.get("SUMMARY", "")),
            "description": str(e["DESCRIPTION"]) if "DESCRIPTION" in e else None,
            "location": str(e.get("LOCATION", "")),
            "status": str(e.get("STATUS", "")),
            "sequence": int(e.get("SEQUENCE", 0)),
            "url": str(e.get("URL", "")),
        }
        for e in cal.walk("VEVENT")
    ]


def parse_vobject(data: bytes) -> list[dict]:
    # vobject keeps the first VTIMEZONE it met for a TZID, process-wide: a client
    # reads each calendar with its own zones, so forget those of earlier tests.
    getattr(vobject.icalendar, "__tzidMap").clear()
    cal = vobject.readOne(data.decode("utf-8"))
    events = []
    for e in getattr(cal, "vevent_list", []):
        events.append(
            {
                "uid": e.uid.value,
                "start": _utc(e.dtstart.value),
                "end": _utc(e.dtend.value),
                "summary": e.summary.value,
                "description": e.description.value if hasattr(e, "description") else None,
                "location": e.location.value,
                "status": e.status.value,
                "sequence": int(e.sequence.value),
                "url": e.url.value,
            }
        )
    return events


def node_available() -> bool:
    return shutil.which("node") is not None and (JS_DIR / "node_modules" / "ical.js").exists()


def parse_icaljs_calendar(data: bytes) -> dict | None:
    """ical.js's raw reading (calendar name, events), or None when Node.js is absent
    (a failure when REQUIRE_NODE=1)."""
    if not node_available():
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail("REQUIRE_NODE=1 but node or tests/js/node_modules/ical.js is missing")
        return None
    result = subprocess.run(
        ["node", str(JS_DIR / "parse_ics.mjs")],
        input=data,
        capture_output=True,
        check=True,
        cwd=JS_DIR,
        timeout=60,
    )
    return json.loads(result.stdout)


def parse_icaljs(data: bytes) -> list[dict] | None:
    """ical.js's reading of the events, or None when Node.js is absent."""
    parsed = parse_icaljs_calendar(data)
    if parsed is None:
        return None
    events = []
    for e in parsed["events"]:
        # Local times carry the service's zone; times in the repeated autumn hour are UTC.
        assert e["zone"] in ("Europe/Paris", "UTC"), f"ical.js did not place {e['uid']}"
        events.append(
            {
                "uid": e["uid"],
                "start": datetime.fromisoformat(e["start"]),
                "end": datetime.fromisoformat(e["end"]),
                "summary": e["summary"],
                "description": e["description"],
                "location": e["location"],
                "status": e["status"],
                "sequence": e["sequence"],
                "url": e["url"],
            }
        )
    return events


def parse_everywhere(data: bytes) -> list[dict]:
    """Parse with every parser, check they agree event by event, return icalendar's reading.

    When Node.js is absent the ical.js part is left out here and
    `test_icaljs_is_available` reports the skip; with REQUIRE_NODE=1 (CI) it fails instead.
    """
    ours = parse_icalendar(data)
    readings = {"vobject": parse_vobject(data)}
    icaljs = parse_icaljs(data)
    if icaljs is not None:
        readings["ical.js"] = icaljs
    for parser, theirs in readings.items():
        assert len(theirs) == len(ours), f"{parser} sees {len(theirs)} events, not {len(ours)}"
        by_uid = {e["uid"]: e for e in theirs}
        for event in ours:
            other = by_uid[event["uid"]]
            for key in ("start", "end", "summary", "description", "status", "sequence"):
                assert other[key] == event[key], (
                    f"{parser} reads {key} of {event['uid']} differently"
                )
    return ours
