"""Webhook addresses never lead into our own network (SSRF): refused at registration,
and again at each delivery (DNS can change), where redirects are not followed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from booking import netguard
from booking.api.webhooks import Webhook, WebhookError, enqueue_event, register_webhook
from booking.extensions import db
from booking.notifications.sending import send_due
from booking.outbox import OutboxMessage
from tests import factories
from tests.api.conftest import local

INTERNAL_URLS = [
    "https://127.0.0.1/hook",
    "https://127.1/hook",  # an odd spelling of loopback, read by getaddrinfo
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
    "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://[fd12:3456::1]/hook",
    "https://[ff02::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:7f00:1]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
    "https://localhost/hook",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_an_internal_literal_or_local_name_is_refused(app, url):
    with pytest.raises(netguard.UnsafeTargetError) as caught:
        netguard.check_url(url)
    assert caught.value.reason == netguard.INTERNAL


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8"]
)
def test_a_public_address_is_accepted(address):
    assert netguard.is_public(netguard.ipaddress.ip_address(address))


def test_a_name_resolving_to_loopback_is_refused_in_the_form_translated(
    login, dns, admin_a, assoc_a
):
    dns["partner.example"] = "127.0.0.1"
    client = login(admin_a)
    response = client.post(
        "/account/webhooks/",
        data={
            "association": str(assoc_a.id),
            "url": "https://partner.example/hook",
            "events": ["approved"],
        },
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "réseau interne" in page
    assert "127.0.0.1" in page
    assert db.session.scalar(select(Webhook)) is None


def test_a_name_with_one_internal_address_among_public_ones_is_refused(monkeypatch, app):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (2, 1, 6, "", ("93.184.215.14", port)),
            (10, 1, 6, "", ("::1", port, 0, 0)),
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(netguard.UnsafeTargetError) as caught:
        netguard.check_url("https://mixed.example/hook")
    assert caught.value.address == "::1"


def test_an_unknown_name_is_refused_with_a_clear_message(app, dns, admin_a, assoc_a):
    def fail(*_args, **_kwargs):
        raise netguard.socket.gaierror(-2, "Name or service not known")

    netguard_getaddrinfo = netguard.socket.getaddrinfo
    netguard.socket.getaddrinfo = fail
    try:
        with pytest.raises(WebhookError) as caught:
            register_webhook(admin_a, assoc_a, "https://nowhere.invalid/hook", ["approved"])
    finally:
        netguard.socket.getaddrinfo = netguard_getaddrinfo
    assert "nowhere.invalid" in caught.value.message
    assert caught.value.field == "url"


def test_a_name_that_turns_internal_after_registration_is_not_delivered_and_logged(
    login, dns, opener, room, assoc_a, admin_a
):
    made = register_webhook(admin_a, assoc_a, "https://partner.example/hook", ["cancelled"])
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    enqueue_event("cancelled", [booking])
    db.session.commit()
    dns["partner.example"] = "::ffff:10.0.0.5"  # DNS changed since
    assert send_due().failed == 1
    assert opener.requests == []  # nothing was sent
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert row.sent_at is None
    assert "internal address (::ffff:10.0.0.5)" in row.last_error
    log = login(admin_a).get(f"/account/webhooks/{made.webhook.id}/deliveries")
    assert "internal address (::ffff:10.0.0.5)" in log.get_data(as_text=True)


class _Redirecting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self):
        self.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/hook":
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/admin")
        else:
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


@pytest.fixture
def redirecting_server():
    _Redirecting.hits = []
    server = HTTPServer(("127.0.0.1", 5131), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_redirect_is_not_followed(app, monkeypatch, dns, redirecting_server, room, assoc_a):
    """The partner's server answers 307 to an internal address: the delivery fails, the
    log says why, and the redirect's target is never requested."""
    app.config["WEBHOOK_ALLOW_HTTP"] = True
    admin = factories.make_user(name="Présidente")
    factories.add_member(admin, assoc_a, role="admin")
    register_webhook(admin, assoc_a, "http://partner.example:5131/hook", ["cancelled"])
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    enqueue_event("cancelled", [booking])
    db.session.commit()
    # The test's server listens on loopback: let only the delivery reach it (the name was
    # checked as public at registration), to see what the sender does with its answer.
    dns["partner.example"] = "127.0.0.1"
    monkeypatch.setattr(netguard, "is_public", lambda _ip: True)
    assert send_due().failed == 1
    assert _Redirecting.hits == ["/hook"]
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert "redirect to http://127.0.0.1:5131/admin not followed" in row.last_error
    app.config.pop("WEBHOOK_ALLOW_HTTP")


def test_a_delivery_connects_to_the_checked_address_not_a_new_lookup(
    monkeypatch, dns, redirecting_server
):
    """DNS rebinding: once checked, the name is not looked up again for the connection."""
    monkeypatch.setattr(netguard, "is_public", lambda _ip: True)  # the test server is local
    dns["partner.example"] = "127.0.0.1"
    target = netguard.check_url("http://partner.example:5131/other", ("http",))
    dns["partner.example"] = "10.9.9.9"  # a second lookup would now lead elsewhere
    assert netguard.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5) == 204
    assert _Redirecting.hits == ["/other"]
