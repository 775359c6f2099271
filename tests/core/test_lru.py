"""The process-local LRU cache behind the grid and feed-event caches."""

from __future__ import annotations

from booking.lru import LRUCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    assert (cache.hits, cache.misses) == (3, 1)


def test_zero_entries_keeps_nothing_and_clear_empties() -> None:
    off: LRUCache[str, int] = LRUCache(0)
    off.put("a", 1)
    assert off.get("a") is None
    cache: LRUCache[str, int] = LRUCache(5)
    cache.put("a", 1)
    cache.clear()
    assert len(cache) == 0
