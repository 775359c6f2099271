"""Bookings and series: states, rules, conflicts, availability and approvals."""
