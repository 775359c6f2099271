"""Account emails: text and HTML, in the recipient's language, escaped."""

from __future__ import annotations

import pytest

from booking.auth import emails
from tests.auth.conftest import html_body, text_body


@pytest.mark.usefixtures("db")
def test_reset_email_in_french_has_text_and_html(app, make_user):
    user = make_user("lea@example.org", locale="fr")
    with app.test_request_context():
        row = emails.send_password_reset(user, "http://salles.test/account/password/reset/t0k")
    message = row.message()
    assert message["To"] == "lea@example.org"
    assert "Salles Ouvertes" in message["From"]
    assert message["Message-ID"]
    assert row.subject == "Réinitialisez votre mot de passe Salles Ouvertes"
    assert "http://salles.test/account/password/reset/t0k" in text_body(message)
    assert 'href="http://salles.test/account/password/reset/t0k"' in html_body(message)
    assert "pendant 60 minutes" in text_body(message)
    assert '<html lang="fr">' in html_body(message)


@pytest.mark.usefixtures("db")
def test_invitation_email_escapes_names_in_html(app, make_user, make_association):
    inviter = make_user(name="<script>", locale="en")
    association = make_association("Tom & Jerry <Brest>")
    with app.test_request_context():
        row = emails.send_invitation(
            "new@example.org", association, inviter, "http://salles.test/account/invitations/x"
        )
    message = row.message()
    assert "Tom &amp; Jerry &lt;Brest&gt;" in html_body(message)
    assert "<script>" not in html_body(message)
    assert "Tom & Jerry <Brest>" in text_body(message)
    assert "valid for 14 days" in text_body(message)
