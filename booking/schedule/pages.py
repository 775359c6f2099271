"""Calendar pages served from their rendered text while nothing they show has changed.

The day, week and month pages are two parts: the calendar itself (heading, form,
navigation, grid), which is the same for every visitor, and the layout around it
(menu, language switch, messages), which depends on who is signed in. The first is
a function of the grid's key (the calendars' versions, the window, the language, the
clock: booking/schedule/cache.py) and of the address asked (the form's values), so
its rendered text is kept under those; a signed-in visitor's page renders only the
layout around it. An anonymous visitor with no message waiting sees a page that is the
same for every such visitor: the whole page is kept (issue 19: a cached grid is not
rendered again). Nothing to invalidate: a change makes a new key. Both are kept in the
grids' LRU cache, beside the grids they show. The day grid's page, whose form also offers
the places and the equipment, is keyed instead by one read that names everything it reads
(`cache.day_page_key`), and kept with its status (a bad date answers 400 from the cache too);
a signed-in visitor's day page then reads nothing more either, only its layout is rendered.
"""

from __future__ import annotations

from flask import current_app, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

from booking.lru import LRUCache


def _same_for_every_visitor() -> bool:
    """An anonymous visitor with no flashed message: the layout says nothing of them."""
    return "_flashes" not in session and not current_user.is_authenticated


def render_part(part: str, context: dict) -> Markup:
    """A calendar part, rendered (autoescaped) to be placed in its page's layout."""
    return Markup(render_template(part, **context))  # noqa: S704 - a template's escaped output


def _cache() -> LRUCache:
    # The grids' own cache (GRID_CACHE_ENTRIES, 0: none): emptied with them, bounded with them.
    return current_app.extensions["grid_cache"]


def cached_page(page: str, grid_key: tuple) -> str | None:
    """The whole page `page` of the grid `grid_key` for this address, when this visitor is
    served whole pages and one is kept: what `calendar_page` would answer, before the view
    loads anything else."""
    if not _same_for_every_visitor():
        return None
    return _cache().get(("page", page, request.full_path, *grid_key))


def cached_answer(page: str, grid_key: tuple) -> tuple[str, int] | None:
    """The page `page` of the grid `grid_key` for this address, with its status, when
    `calendar_page` kept it with one (the day grid, whose key `cache.day_page_key` names
    everything the page reads): whole for a visitor served whole pages; for any other (signed
    in, or a message waiting) the kept calendar part in their own layout, rendered with the
    layout's values kept with it. None when not kept: the view builds the page."""
    cache = _cache()
    key = (page, request.full_path, *grid_key)
    if _same_for_every_visitor():
        return cache.get(("answer", *key))
    content = cache.get(("part", *key))
    kept = cache.get(("layout", *key))
    if content is None or kept is None:
        return None
    status, layout = kept
    return render_template(page, page_content=content, **layout), status


def calendar_page(
    page: str,
    part: str,
    grid_key: tuple,
    context: dict,
    *,
    status: int | None = None,
    layout: tuple[str, ...] = (),
) -> str:
    """The page `page` around the calendar part `part`, both from the cache when known.

    `grid_key` is the full key of the grid shown (`cache.grid_key`); `context` is what
    both templates are rendered with. With `status`, the page is kept for `cached_answer`
    (instead of `cached_page`): whole, with `status`, and the values of `context` named in
    `layout` (those the page's own template reads around the part), with `status` too.
    """
    cache = _cache()
    key = (page, request.full_path, *grid_key)
    # Asked before rendering: the layout takes the flashed messages out of the session.
    whole = _same_for_every_visitor()
    if whole and status is None:
        html = cache.get(("page", *key))
        if html is not None:
            return html
    content = cache.get(("part", *key))
    if content is None:
        content = render_part(part, context)
        cache.put(("part", *key), content)
    html = render_template(page, page_content=content, **context)
    if status is None:
        if whole:
            cache.put(("page", *key), html)
        return html
    cache.put(("layout", *key), (status, {name: context[name] for name in layout}))
    if whole:
        cache.put(("answer", *key), (html, status))
    return html
