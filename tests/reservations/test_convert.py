"""From what a person types to the booking services' values."""

from __future__ import annotations

from datetime import date, time

from werkzeug.datastructures import MultiDict

from booking.reservations.convert import (
    equipment_not_offered,
    prefill,
    slot_choices,
)


def test_prefill_keeps_valid_values_and_drops_the_rest():
    assert prefill({"date": "2030-03-05", "start": "14:00", "end": "16:00"}) == {
        "date": date(2030, 3, 5),
        "start": time(14),
        "end": time(16),
        "slot": "14:00-16:00",
    }
    assert prefill({"date": "2030-02-30", "start": "24:00", "end": "x"}) == {}
    assert prefill({"start": "16:00", "end": "14:00"}) == {"start": time(16)}


def test_machine_slots_follow_the_step_within_the_day_opening_hours(app, machine):
    values = [c.value for c in slot_choices(machine, date(2030, 3, 5))]
    assert values[0] == "08:00-09:00"
    assert values[-1] == "21:00-22:00"
    assert len(values) == 14


def test_an_open_lab_offers_its_sessions_with_their_weekdays(app, open_lab):
    [choice] = slot_choices(open_lab, None)
    assert choice.value == "18:00-21:00"
    assert "Thursday" in choice.label or "Jeudi" in choice.label


def test_equipment_ticked_but_not_offered_is_kept_for_the_rules(app, room, camera):
    asked = equipment_not_offered(
        MultiDict({f"equipment_{camera.id}": "y", "equipment_999": "y", "equipment_x": "y"}),
        room,
    )
    assert asked == {999: 1}
