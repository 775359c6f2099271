"""Ending a transaction that wrote nothing without expiring what it loaded.

A refused booking request has read rows and locked its resource, but written
nothing. Rolling it back would expire every object of the session, and the page
that shows the refusal would read the resource, the user and their associations
again; a SAVEPOINT around the request avoids that but costs two round trips on
every request that succeeds. Instead, the session notes whether the transaction
flushed anything, and a transaction that did not is committed with its objects
kept as they are (a commit that writes nothing changes nothing they hold). Its
locks are released at once, as the savepoint's rollback did.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.scoping import scoped_session

_WROTE = "booking.transaction_wrote"  # a key of Session.info


def _note_flush(session: Session, _flush_context: object) -> None:
    session.info[_WROTE] = True


def _new_transaction(session: Session, transaction: SessionTransaction, _connection) -> None:
    if not transaction.nested:  # a SAVEPOINT is part of the transaction that wrote
        session.info.pop(_WROTE, None)


def track_writes() -> None:
    """Have every session note whether its transaction flushed anything (once per process)."""
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_begin", _new_transaction)
        event.listen(Session, "after_flush", _note_flush)


def end_unwritten(session: Session | scoped_session) -> bool:
    """End the current transaction: commit it, keeping the loaded objects, when it wrote
    nothing and holds no change; else roll it back. Says whether it committed.

    Call `track_writes()` before the transaction's first flush."""
    real = session() if isinstance(session, scoped_session) else session
    if real.info.get(_WROTE) or real.new or real.dirty or real.deleted:
        real.rollback()
        return False
    keep = real.expire_on_commit
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = keep
    return True
