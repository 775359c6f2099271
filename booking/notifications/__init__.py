"""Email notifications: composed from booking events, written to the outbox, sent after commit."""

from __future__ import annotations

from flask import Flask

from booking.notifications.listeners import connect_listeners
from booking.notifications.sending import init_sending


def init_notifications(app: Flask) -> None:
    """Listen to the booking signals and send the outbox after requests that wrote to it."""
    connect_listeners()
    init_sending(app)
