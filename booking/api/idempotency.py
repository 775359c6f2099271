"""`Idempotency-Key` on booking POSTs: a retried request never books twice.

The first answer is stored in the same transaction as the booking, under
(token, key); a retry with the same key and the same body gets that answer
again (`Idempotent-Replayed: true`), one with another body is refused. Two
copies racing each other: the unique key makes the second fail at its flush,
which rolls back its booking and replays the first.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.api.models import IdempotentRequest
from booking.api.problems import ApiProblem
from booking.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def request_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiProblem(
            400,
            _("The Idempotency-Key must have 1 to %(max)d characters.", max=MAX_KEY_LENGTH),
            rule="idempotency",
            field=HEADER,
        )
    return key


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def replay(token_id: int, key: str) -> Response | None:
    """The stored answer to this key, or None when the key is new."""
    row = db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )
    if row is None:
        return None
    if row.fingerprint != fingerprint():
        raise ApiProblem(
            422,
            _("This Idempotency-Key was already used for a different request."),
            rule="idempotency",
            field=HEADER,
        )
    response = current_app.response_class(row.body, status=row.status, mimetype="application/json")
    if row.location:
        response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(token_id: int, key: str, response: Response) -> None:
    """Store the answer in the current transaction; flushes, so that a racing
    duplicate fails here (IntegrityError) before anything is committed."""
    db.session.add(
        IdempotentRequest(
            token_id=token_id,
            key=key,
            fingerprint=fingerprint(),
            status=response.status_code,
            body=response.get_data(as_text=True),
            location=response.headers.get("Location"),
        )
    )
    db.session.flush()
