"""Flask-Limiter without its fixed cost on the requests it does not limit.

Two costs every request paid (issue 19, measured with `bench/profile.py`):

- The limiter's `before_request` resolves the limits of the endpoint anew on each
  request (blueprint, decorators, defaults, exemptions), about a tenth of a 304 that has
  none. Which limits an endpoint has is fixed once the app is built, so an endpoint and
  method found without any is remembered (per app) and skipped from then on. The
  decorated views (login, sign-up...) are still checked by their decorator, as before;
  only the middleware pass, which finds nothing for them either, is skipped.
- The in-memory storage (`memory://`, the default) starts a `threading.Timer` thread to
  sweep expired counters after most hits. Here the sweep runs inline instead, at most
  once a second (the counters' own reads already ignore expired entries: the sweep only
  frees memory).
"""

from __future__ import annotations

import time
from typing import ClassVar

import flask
from flask_limiter import Limiter
from limits.storage import MemoryStorage

_UNLIMITED = "limiter_unlimited_endpoints"
SWEEP_SECONDS = 1.0


class EndpointMemoLimiter(Limiter):
    """Skips the per-request limit resolution of endpoints that have no limit."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if not in_middleware:  # a decorated view's own check: always
            super()._check_request_limit(callable_name, in_middleware)
            return
        request = flask.request
        unlimited: set = flask.current_app.extensions.setdefault(_UNLIMITED, set())
        key = (request.endpoint, request.method)
        if key in unlimited:
            return
        self.context.resolved_limits = False
        super()._check_request_limit(callable_name, in_middleware)
        # Remember only a resolution that saw no limit with every filter off (a filter,
        # such as RATELIMIT_ENABLED, short-circuits it and says nothing of the endpoint).
        if (
            request.endpoint
            and self.enabled
            and not self.context.resolved_limits
            and not any(fn() for fn in self._request_filters)
        ):
            unlimited.add(key)

    def _Limiter__evaluate_limits(self, endpoint: str, limits: list) -> None:  # noqa: N802
        # Called by the parent's check with the limits it resolved for this request.
        if limits or self._meta_limits:
            self.context.resolved_limits = True
        super()._Limiter__evaluate_limits(endpoint, limits)


class InlineSweepMemoryStorage(MemoryStorage):
    """`memory://` whose expiry sweep runs in the request, not in a new thread."""

    STORAGE_SCHEME: ClassVar[list[str]] = [
        "memory"
    ]  # replaces the library's class for memory:// URIs

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the parent starts one sweep thread at creation
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the parent's hook
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
