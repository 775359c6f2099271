"""Each role's permissions, asked of the model helpers views and templates use."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from booking.auth.services import AccountError, invite, remove_member
from tests.factories import add_member


def test_administrator_may_approve_everything_and_administer_every_association(
    make_user, make_resource, make_association
):
    admin = make_user(is_admin=True)
    resource = make_resource()
    association = make_association()
    assert resource.can_approve(admin)
    assert resource.can_manage(admin)
    assert admin.is_association_admin(association)
    assert not admin.is_member_of(association)
    assert not admin.is_manager  # manages nothing by name


def test_resource_manager_approves_their_resource_only(make_user, make_resource):
    manager = make_user()
    mine = make_resource(managers=[manager])
    other = make_resource(site=mine.site)
    assert manager.is_manager
    assert mine.can_approve(manager)
    assert not other.can_approve(manager)
    assert not manager.is_admin


def test_site_manager_approves_every_resource_of_their_site(make_user, make_site, make_resource):
    manager = make_user()
    site = make_site()
    site.managers.append(manager)
    first, second = make_resource(site=site), make_resource(site=site)
    elsewhere = make_resource()
    assert manager.is_manager
    assert first.can_approve(manager)
    assert second.can_approve(manager)
    assert not elsewhere.can_approve(manager)


def test_association_admin_and_member_differ(make_user, make_association):
    association, other = make_association(), make_association()
    boss, member = make_user(), make_user()
    add_member(boss, association, "admin")
    add_member(member, association)
    assert boss.is_member_of(association)
    assert boss.is_association_admin(association)
    assert member.is_member_of(association.id)
    assert not member.is_association_admin(association)
    assert not boss.is_member_of(other)
    assert not boss.is_association_admin(other.id)


def test_member_may_not_invite_or_remove(make_user, make_association, request_ctx):
    association = make_association()
    boss, member = make_user(), make_user()
    boss_membership = add_member(boss, association, "admin")
    add_member(member, association)
    with pytest.raises(AccountError, match="administrators may invite"):
        invite(member, association, "friend@example.org")
    with pytest.raises(AccountError, match="administrators may remove"):
        remove_member(member, boss_membership)


def test_plain_user_has_no_role(make_user, make_resource, make_association):
    user = make_user()
    assert not user.is_admin
    assert not user.is_manager
    assert not make_resource().can_approve(user)
    assert not user.is_association_admin(make_association())


def test_anonymous_visitor_may_approve_nothing(make_resource):
    resource = make_resource()
    assert not resource.can_approve(AnonymousUserMixin())
    assert not resource.can_approve(None)


def test_inactive_association_is_not_among_the_users_associations(make_user, make_association):
    user = make_user()
    active, waiting = make_association(), make_association(is_active=False)
    add_member(user, active)
    add_member(user, waiting, "admin")
    assert user.associations == [active]
    assert user.is_member_of(waiting)


def test_anonymous_visitor_is_sent_to_login_from_account_pages(client):
    for path in ("/account/profile", "/account/password", "/account/associations"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/account/login?next=")


def test_member_sees_no_member_list_and_outsider_is_refused(
    client, login, make_user, make_association
):
    association = make_association()
    boss, member, outsider = make_user(), make_user(), make_user()
    add_member(boss, association, "admin")
    add_member(member, association)
    url = f"/account/associations/{association.slug}"

    login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert boss.email not in response.get_data(as_text=True)
    assert client.post(f"{url}/invitations", data={"email": "x@example.org"}).status_code == 403

    login(outsider)
    assert client.get(url).status_code == 403

    login(boss)
    assert boss.email in client.get(url).get_data(as_text=True)
