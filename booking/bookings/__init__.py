"""Bookings and series: states, rules, conflicts, availability and approvals.

- `services.py`: request, approve, refuse, cancel, reschedule, expire, comment;
- `series.py`: recurring requests (RRULE expanded in local time) and acting on them;
- `rules.py`: one function per rule, run by `check_request`; `quotas.py`;
- `locking.py`: how no exclusive resource is ever given twice (PostgreSQL and SQLite);
- `seats.py`: open-lab sessions, waiting list and promotion;
- `equipment.py`: equipment quantities shared by overlapping bookings (seats included);
- `transitions.py`: every state change bumps SEQUENCE and is audited;
- `errors.py`: `BookingRefused` / `NotAllowed`; `events.py`: the signals sent;
- `availability.py`: free/busy and "find a free room" (read side).
"""
