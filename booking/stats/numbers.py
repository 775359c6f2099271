"""The statistics' numbers in the reader's language, without Babel's per-number cost.

A year's table at the benchmark's largest scale formats about 8,000 numbers, and Babel's
`NumberPattern.apply` costs tens of microseconds each. The statistics use two shapes only —
a grouped integer part with at most N decimals, as a number or as a percentage — which are
written here with the locale's own symbols (Babel's) and rounded as Babel rounds them (the
decimal of `str(value)`, half to even). `tests/stats/test_numbers.py` compares the two on
many values in both languages.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol


@lru_cache(maxsize=16)
def _symbols(locale: Locale) -> tuple[str, str, str, str]:
    return (
        get_group_symbol(locale),
        get_decimal_symbol(locale),
        get_minus_sign_symbol(locale),
        locale.number_symbols["latn"]["percentSign"],
    )


@lru_cache(maxsize=8)
def _step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def format_decimal(value: float, decimals: int, locale: Locale, percent: bool = False) -> str:
    """`value` as Babel's pattern "#,##0.#…" (`decimals` #s), or "#,##0.#…%" if `percent`."""
    group, point, minus, percent_sign = _symbols(locale)
    number = Decimal(str(value))
    if percent:
        number = number.scaleb(2)
    number = number.quantize(_step(decimals), rounding=ROUND_HALF_EVEN)
    negative = number.is_signed()
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", group)
    text = grouped + (point + fraction if fraction else "")
    if percent:
        text += percent_sign
    return minus + text if negative else text
