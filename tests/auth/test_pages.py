"""The account pages render for their audience, with sound form markup."""

from __future__ import annotations

import pytest

from tests.auth.conftest import page
from tests.factories import add_member

ANONYMOUS_PAGES = ["/account/login", "/account/signup", "/account/password/forgot"]
USER_PAGES = [
    "/account/profile",
    "/account/password",
    "/account/associations",
    "/account/associations/new",
]


def _check(html: str) -> None:
    assert html.count("<h1>") == 1
    assert 'aria-describedby="None"' not in html
    assert 'aria-invalid="None"' not in html
    assert 'lang="fr"' in html


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    _check(page(response))


@pytest.mark.parametrize("path", USER_PAGES)
def test_user_pages(client, login, member, path):
    login(member)
    response = client.get(path)
    assert response.status_code == 200
    _check(page(response))


def test_association_page_for_its_admin(client, login, db, make_user, make_association):
    user = make_user()
    association = make_association()
    add_member(user, association, "admin")
    login(user)
    html = page(client.get(f"/account/associations/{association.slug}"))
    _check(html)
    assert "<caption>" in html
    assert 'scope="col"' in html


def test_menu_offers_signup_to_visitors_and_the_account_to_users(client, login, member):
    assert 'href="/account/signup"' in page(client.get("/"))
    login(member)
    html = page(client.get("/"))
    assert 'href="/account/profile"' in html
    assert 'href="/account/signup"' not in html


def test_errors_are_linked_to_their_field(client):
    client.get("/lang/en")
    html = page(client.post("/account/password/forgot", data={}))
    assert 'aria-describedby="email-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="email-error"' in html
