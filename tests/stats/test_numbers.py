"""The statistics' fast number formats write what Babel's patterns write."""

from __future__ import annotations

import random

import pytest
from babel import Locale
from babel.numbers import parse_pattern

from booking.stats.numbers import format_decimal

EDGES = [0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.95, 0.995, 1.005, 999.95, 999.96, 1234.5]


def _values() -> list[float]:
    rng = random.Random(19)
    values = list(EDGES) + [-v for v in EDGES]
    values += [rng.uniform(0, 10) for _ in range(500)]
    values += [rng.uniform(0, 1_000_000) for _ in range(500)]
    values += [round(rng.uniform(0, 5000), 2) for _ in range(500)]
    values += [rng.randint(0, 10**7) / 3600 for _ in range(500)]
    return values


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("pattern", "decimals", "percent"),
    [("#,##0.#", 1, False), ("#,##0.##", 2, False), ("#,##0.#%", 1, True)],
)
def test_fast_formats_write_what_babel_writes(language, pattern, decimals, percent):
    locale = Locale.parse(language)
    babel = parse_pattern(pattern)
    for value in _values():
        assert format_decimal(value, decimals, locale, percent) == babel.apply(value, locale), value
