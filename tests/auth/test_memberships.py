"""My associations: roles, removing members, leaving; never without an administrator."""

from __future__ import annotations

import pytest

from booking.auth.models import MembershipRole
from tests.auth.conftest import flashes, page
from tests.factories import add_member


@pytest.fixture
def team(db, make_user, make_association):
    association = make_association("Les Petits Débrouillards")
    boss, helper = make_user(name="Boss"), make_user(name="Helper")
    boss_m = add_member(boss, association, "admin")
    helper_m = add_member(helper, association)
    db.session.commit()
    return association, boss, boss_m, helper, helper_m


def test_my_associations_lists_my_role_and_state(client, login, db, make_association, team):
    _association, boss, *_ = team
    waiting = make_association("Nouvelle asso", is_active=False)
    add_member(boss, waiting, "admin")
    db.session.commit()
    login(boss)
    client.get("/lang/en")
    html = page(client.get("/account/associations"))
    assert "Les Petits Débrouillards" in html
    assert "Nouvelle asso" in html
    assert "Administrator" in html
    assert "awaiting validation" in html
    assert 'state-approved">active<' in html


def test_admin_removes_a_member(client, login, db, team):
    association, boss, _boss_m, helper, helper_m = team
    login(boss)
    url = f"/account/associations/{association.slug}/members/{helper_m.id}/remove"
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert not helper.is_member_of(association)


def test_last_admin_cannot_remove_themselves(client, login, db, team):
    association, boss, boss_m, *_ = team
    login(boss)
    client.get("/lang/en")
    url = f"/account/associations/{association.slug}/members/{boss_m.id}/remove"
    assert client.post(url).status_code == 302
    assert any("at least one administrator" in m for m in flashes(client))
    db.session.expire_all()
    assert boss.is_association_admin(association)


def test_last_admin_cannot_leave_but_a_member_can(client, login, db, team):
    association, boss, _boss_m, helper, _helper_m = team
    url = f"/account/associations/{association.slug}/leave"
    login(boss)
    client.get("/lang/en")
    client.post(url)
    assert any("only administrator" in m for m in flashes(client))
    db.session.expire_all()
    assert boss.is_member_of(association)

    login(helper)
    client.post(url)
    db.session.expire_all()
    assert not helper.is_member_of(association)


def test_admin_promotes_a_member_then_may_leave(client, login, db, team):
    association, boss, _boss_m, helper, helper_m = team
    login(boss)
    role_url = f"/account/associations/{association.slug}/members/{helper_m.id}/role"
    assert client.post(role_url, data={"role": "admin"}).status_code == 302
    db.session.expire_all()
    assert helper_m.role == MembershipRole.ADMIN
    client.post(f"/account/associations/{association.slug}/leave")
    db.session.expire_all()
    assert not boss.is_member_of(association)
    assert helper.is_association_admin(association)


def test_last_admin_cannot_demote_themselves(client, login, db, team):
    association, boss, boss_m, *_ = team
    login(boss)
    client.post(
        f"/account/associations/{association.slug}/members/{boss_m.id}/role",
        data={"role": "member"},
    )
    db.session.expire_all()
    assert boss_m.role == MembershipRole.ADMIN


def test_unknown_role_is_a_bad_request(client, login, team):
    association, boss, _boss_m, _helper, helper_m = team
    login(boss)
    url = f"/account/associations/{association.slug}/members/{helper_m.id}/role"
    assert client.post(url, data={"role": "emperor"}).status_code == 400


def test_member_may_not_remove_or_promote(client, login, db, team):
    association, _boss, boss_m, helper, helper_m = team
    login(helper)
    base = f"/account/associations/{association.slug}/members"
    assert client.post(f"{base}/{boss_m.id}/remove").status_code == 403
    assert client.post(f"{base}/{helper_m.id}/role", data={"role": "admin"}).status_code == 403
    db.session.expire_all()
    assert helper_m.role == MembershipRole.MEMBER


def test_membership_of_another_association_is_not_found(client, login, db, make_association, team):
    association, boss, *_ = team
    other = make_association()
    stranger_m = add_member(boss, other)  # boss is a plain member there
    db.session.commit()
    login(boss)
    url = f"/account/associations/{association.slug}/members/{stranger_m.id}/remove"
    assert client.post(url).status_code == 404
    assert client.get("/account/associations/no-such-association").status_code == 404


def test_site_administrator_may_manage_any_association(client, login, db, make_user, team):
    association, _boss, _boss_m, helper, helper_m = team
    admin = make_user(is_admin=True)
    db.session.commit()
    login(admin)
    assert helper.email in page(client.get(f"/account/associations/{association.slug}"))
    url = f"/account/associations/{association.slug}/members/{helper_m.id}/remove"
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert not helper.is_member_of(association)
