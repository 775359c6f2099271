"""Webhooks: registered by association administrators, written to the outbox with the
change, delivered after it signed with HMAC, retried with backoff, logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta

from sqlalchemy import select

from booking.api.webhooks import Webhook, enqueue_event, register_webhook
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.sending import send_due
from booking.outbox import OutboxMessage
from tests import factories
from tests.api.conftest import local


def _webhook_rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook")))


def test_an_association_admin_registers_an_https_address_and_sees_the_secret_once(
    login, admin_a, assoc_a
):
    client = login(admin_a)
    refused = client.post(
        "/account/webhooks/",
        data={"association": str(assoc_a.id), "url": "http://x.example/h", "events": ["approved"]},
    )
    assert refused.status_code == 422
    response = client.post(
        "/account/webhooks/",
        data={"association": str(assoc_a.id), "url": "https://x.example/h", "events": ["approved"]},
    )
    assert response.status_code == 201
    secret = re.search(r'value="(whsec_[\w-]+)"', response.get_data(as_text=True)).group(1)
    assert db.session.scalar(select(Webhook)).secret == secret
    assert secret not in client.get("/account/webhooks/").get_data(as_text=True)


def test_a_plain_member_cannot_register_one(login, member_a, assoc_a):
    response = login(member_a).post(
        "/account/webhooks/",
        data={"association": str(assoc_a.id), "url": "https://x.example/h", "events": ["approved"]},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Webhook)) is None


def test_an_event_is_written_with_the_change_and_delivered_signed(
    client, opener, room, assoc_a, admin_a, member_a, bearer
):
    made = register_webhook(admin_a, assoc_a, "https://x.example/h", ["requested", "cancelled"])
    db.session.commit()
    response = client.post(
        "/api/v1/bookings",
        json={
            "resource": room.slug,
            "association": assoc_a.id,
            "start": "2030-03-05T14:00:00+01:00",
            "end": "2030-03-05T16:00:00+01:00",
            "title": "Atelier",
        },
        headers=bearer(member_a, "book"),
    )
    assert response.status_code == 201
    [row] = _webhook_rows()
    assert row.recipients == f"webhook:{made.webhook.id}"
    assert send_due().failed == 0
    [request] = opener.requests
    body = request.data
    assert json.loads(body)["event"] == "requested"
    assert json.loads(body)["booking"]["id"] == response.json["id"]
    timestamp, signature = re.fullmatch(
        r"t=(\d+),v1=([0-9a-f]+)", request.get_header("Salles-signature")
    ).groups()
    expected = hmac.new(made.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())
    assert request.full_url == "https://x.example/h"


def test_a_refused_change_sends_nothing(client, opener, room, assoc_a, admin_a, member_a, bearer):
    register_webhook(admin_a, assoc_a, "https://x.example/h", ["requested"])
    db.session.commit()
    client.post(
        "/api/v1/bookings",
        json={
            "resource": room.slug,
            "association": assoc_a.id,
            "start": "2030-03-05T14:00:00+01:00",
            "end": "2030-03-05T16:00:00+01:00",
            "title": " ",
        },
        headers=bearer(member_a, "book"),
    )
    assert _webhook_rows() == []


def test_only_the_associations_own_bookings_are_sent(opener, room, assoc_a, assoc_b, admin_a):
    register_webhook(admin_a, assoc_a, "https://x.example/h", ["cancelled"])
    admin = factories.make_user(is_admin=True)
    city = register_webhook(admin, None, "https://city.example/h", ["cancelled"]).webhook
    theirs = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_b
    )
    assert enqueue_event("cancelled", [theirs]) == 1
    assert [r.recipients for r in _webhook_rows()] == [city.address]  # the administrator's only


def test_a_failed_delivery_is_retried_later_and_logged(login, opener, room, assoc_a, admin_a):
    made = register_webhook(admin_a, assoc_a, "https://x.example/h", ["cancelled"])
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    enqueue_event("cancelled", [booking])
    db.session.commit()
    opener.fail = True
    assert send_due().failed == 1
    [row] = _webhook_rows()
    assert row.sent_at is None
    assert row.next_attempt_at > utcnow()
    log = login(admin_a).get(f"/account/webhooks/{made.webhook.id}/deliveries")
    assert "connection refused" in log.get_data(as_text=True)
    opener.fail = False
    assert send_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert len(opener.requests) == 2


def test_a_removed_webhook_receives_nothing_more(login, opener, room, assoc_a, admin_a):
    made = register_webhook(admin_a, assoc_a, "https://x.example/h", ["cancelled"])
    db.session.commit()
    client = login(admin_a)
    assert client.post(f"/account/webhooks/{made.webhook.id}/remove").status_code == 302
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    assert enqueue_event("cancelled", [booking]) == 0


def test_someone_else_cannot_read_the_delivery_log(login, room, assoc_a, admin_a, member_b):
    made = register_webhook(admin_a, assoc_a, "https://x.example/h", ["cancelled"])
    db.session.commit()
    assert login(member_b).get(f"/account/webhooks/{made.webhook.id}/deliveries").status_code == 404
