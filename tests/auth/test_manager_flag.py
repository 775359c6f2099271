"""`User.is_manager`: one query, read with the signed-in user, never stale in a session."""

from __future__ import annotations

from booking.auth.models import user_with_flags
from tests import factories
from tests.statements import recorded_statements as counting


def test_the_user_loader_reads_the_flag_with_the_user(db):
    manager, person = factories.make_user(), factories.make_user()
    factories.make_resource(managers=[manager])
    ids = [manager.id, person.id]
    db.session.commit()
    db.session.expunge_all()
    with counting() as seen:
        loaded = [user_with_flags(i) for i in ids]
        assert [u.is_manager for u in loaded] == [True, False]
    assert len([s for s in seen if s.startswith("SELECT")]) == 2  # the flag comes along
    assert user_with_flags(10**9) is None


def test_a_site_manager_is_a_manager(db):
    user = factories.make_user()
    site = factories.make_site()
    assert not user.is_manager
    site.managers.append(user)  # not flushed: known at once all the same
    assert user.is_manager
    site.managers.remove(user)
    assert not user.is_manager


def test_the_flag_is_read_again_once_the_user_is_expired(db):
    user = factories.make_user()
    resource = factories.make_resource()
    assert not user.is_manager
    db.session.execute(
        db.metadata.tables["resource_manager"]
        .insert()
        .values(resource_id=resource.id, user_id=user.id)
    )
    assert not user.is_manager  # remembered while the user is not expired
    db.session.expire(user)
    assert user.is_manager
    db.session.commit()
    resource.managers.clear()
    db.session.commit()  # commit expires: read again
    assert not user.is_manager
