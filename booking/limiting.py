"""Flask-Limiter without its fixed cost on the requests it does not limit.

Two costs every request paid (issue 19, measured with `bench/profile.py`):

- The limiter's `before_request` resolves the limits of the endpoint anew on each
  request (blueprint, decorators, defaults, exemptions), about a tenth of a 304 that has
  none. Which limits an endpoint has is fixed once the app is built, so an endpoint and
  method found without any is remembered (per app) and skipped from then on. The
  decorated views (login, sign-up...) are still checked by their decorator, as before;
  only the middleware pass, which finds nothing for them either, is skipped.
- On an endpoint that has limits (the API's), it resolves them anew on each request too:
  exemptions, blueprint ancestry, and a fresh `RuntimeLimit` for each limit, a third of
  an API 304's hooks. The resolution is remembered per app and endpoint, with the values
  of the callable limits it used (the API's allowance is read from the app's config):
  when one of them or the registered limits change, it is resolved again. Exemption
  filters, the storage's health, hit counting and the 429 are the library's, as before.
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
from flask_limiter.util import get_qualified_name
from limits.storage import MemoryStorage
from ordered_set import OrderedSet

_UNLIMITED = "limiter_unlimited_endpoints"
_RESOLVED = "limiter_resolved_limits"
SWEEP_SECONDS = 1.0


class EndpointMemoLimiter(Limiter):
    """Skips the per-request limit resolution: none for endpoints without limits, a
    remembered one for the others."""

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

    def _registry(self) -> tuple:
        """What a resolution depends on besides the request: the registered limits and
        exemptions (their containers, their sizes and the exemptions' scopes: registering
        a limit or an exemption changes the answer)."""
        manager = self.limit_manager
        return (
            id(manager._application_limits),
            len(manager._application_limits),
            id(manager._default_limits),
            len(manager._default_limits),
            sum(map(len, manager._decorated_limits.values())),
            sum(map(len, manager._blueprint_limits.values())),
            tuple(manager._route_exemptions.items()),
            tuple(manager._blueprint_exemptions.items()),
            len(self._marked_for_limiting),
        )

    def _groups(self, blueprint: str | None) -> tuple:
        """The limit groups a middleware resolution for `blueprint` may read."""
        manager = self.limit_manager
        groups = [*manager._application_limits, *manager._default_limits]
        for name in (blueprint or "").split("."):
            groups.extend(manager._blueprint_limits.get(name, ()))
        return tuple(g for g in groups if callable(getattr(g, "limit_provider", None)))

    def _Limiter__filter_limits(  # noqa: N802 - the parent's private step, as above
        self,
        endpoint: str | None,
        blueprint: str | None,
        callable_name: str | None,
        in_middleware: bool = False,
    ) -> list:
        view = flask.current_app.view_functions.get(endpoint or "")
        if (
            not in_middleware
            or callable_name
            or view is None
            or self._storage_dead
            or self.limit_manager.has_hints(endpoint)
            or self._Limiter__check_all_limits_exempt(endpoint)
        ):
            return super()._Limiter__filter_limits(
                endpoint, blueprint, callable_name, in_middleware
            )
        memo: dict = flask.current_app.extensions.setdefault(_RESOLVED, {})
        registry = self._registry()
        found = memo.get((endpoint, blueprint))
        if found is not None and found[0] == registry:
            _, groups, values, defaults, decorated = found
            if tuple(g.limit_provider() for g in groups) != values:
                found = None
        else:
            found = None
        if found is None:
            groups = self._groups(blueprint)
            values = tuple(g.limit_provider() for g in groups)
            name = get_qualified_name(view)
            defaults, decorated = self.limit_manager.resolve_limits(
                flask.current_app,
                endpoint,
                blueprint,
                name,
                in_middleware,
                name in self._marked_for_limiting,
            )
            memo[(endpoint, blueprint)] = (registry, groups, values, defaults, decorated)
        if not defaults:
            return list(decorated)
        # As the parent does: a default limit counts once per request.
        seen = self.context.seen_limits
        limits = OrderedSet(defaults) - seen
        seen.update(defaults)
        return list(limits) + list(decorated)

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
