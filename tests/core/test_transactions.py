"""`booking.transactions.end_unwritten`: a transaction that wrote nothing ends without
expiring what it loaded; one that wrote (or holds a change) is rolled back."""

from __future__ import annotations

from sqlalchemy import select

from booking.auth.models import User
from booking.extensions import db
from booking.transactions import end_unwritten, track_writes
from tests.statements import recorded_statements


def _read_again(user_id: int) -> User:
    """The user as a new transaction reads it."""
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.id == user_id)).one()


def test_a_transaction_that_wrote_nothing_is_committed_and_keeps_its_objects(db, make_user):
    track_writes()
    user_id = make_user(name="Alix").id
    db.session.commit()
    user = _read_again(user_id)
    assert end_unwritten(db.session) is True
    with recorded_statements() as statements:
        assert user.display_name.startswith("Alix")  # still loaded: nothing read again
    assert statements == []


def test_a_transaction_that_flushed_a_change_is_rolled_back(db, make_user):
    track_writes()
    user_id = make_user(name="Alix").id
    db.session.commit()
    user = _read_again(user_id)
    user.display_name = "Changed"
    db.session.flush()
    assert end_unwritten(db.session) is False
    assert _read_again(user_id).display_name.startswith("Alix")


def test_a_change_not_yet_flushed_is_rolled_back_not_committed(db, make_user):
    track_writes()
    user_id = make_user(name="Alix").id
    db.session.commit()
    user = _read_again(user_id)
    user.display_name = "Changed"
    assert end_unwritten(db.session) is False
    assert _read_again(user_id).display_name.startswith("Alix")


def test_a_savepoint_does_not_hide_what_the_transaction_wrote_before_it(db, make_user):
    track_writes()
    user_id = make_user(name="Alix").id
    db.session.commit()
    user = _read_again(user_id)
    user.display_name = "Changed"
    db.session.flush()
    with db.session.begin_nested():
        db.session.scalars(select(User.id)).all()
    assert end_unwritten(db.session) is False
    assert _read_again(user_id).display_name.startswith("Alix")
