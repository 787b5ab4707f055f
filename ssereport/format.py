"""Number formatting for reports: the only place where results are rounded.

Every number a reader sees in a report goes through one of these functions,
so the HTML, the PDF and the Quarto report show the same digits, and a test
can find a number of the results JSON in the rendered report by formatting it
the same way.

Conventions (APA 7th edition where it has one):

* p-values: ``p < .001`` below one in a thousand, otherwise three decimals
  without a leading zero (``p = .032``); ``p > .999`` just below one.
* Statistics and estimates: significant digits (3 by default); numbers below
  10⁻³ or from 10⁵ on in scientific notation with a real multiplication sign
  and superscript exponent (``5.11 × 10⁻⁴``); a true minus sign (U+2212).
* Missing values (None, NaN) show as an en dash.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["MISSING", "fmt_compare", "fmt_fixed", "fmt_int", "fmt_num", "fmt_p", "fmt_pct", "fmt_pm", "fmt_range",
           "fmt_sci", "fmt_trimmed", "fmt_window"]

#: What a missing or undefined value looks like.
MISSING = "–"
_MINUS = "\u2212"
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_SCI_LOW = 1e-3
_SCI_HIGH = 1e5


def _finite(x: object) -> float | None:
    if x is None or isinstance(x, bool) or not isinstance(x, Real):
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def _minus(text: str) -> str:
    return text.replace("-", _MINUS)


def _exponent(x: float, digits: int) -> int:
    """Decimal exponent of ``x`` after rounding to ``digits`` significant digits."""
    mantissa, exp = f"{x:.{digits - 1}e}".split("e")
    return int(exp)


def _sig(x: float, digits: int) -> str:
    """``x`` in fixed notation with ``digits`` significant digits (integers never lose digits)."""
    if x == 0:
        return "0" if digits <= 1 else "0." + "0" * (digits - 1)
    exp = _exponent(abs(x), digits)
    decimals = max(digits - 1 - exp, 0)
    return f"{x:.{decimals}f}"


def fmt_sci(x: float, digits: int = 3) -> str:
    """``5.11 × 10⁻⁴`` (mantissa with ``digits`` significant digits)."""
    mantissa, exp = f"{x:.{digits - 1}e}".split("e")
    return f"{_minus(mantissa)} × 10{str(int(exp)).translate(_SUPERSCRIPT)}"


def fmt_num(x: object, digits: int = 3, *, sci: bool | None = None, trim: bool = False) -> str:
    """Format a number with ``digits`` significant digits.

    Parameters
    ----------
    x : float
        The value; None or NaN give ``"–"``.
    digits : int, default 3
        Significant digits. Integer parts are never rounded away
        (``fmt_num(1234.6) == "1235"``).
    sci : bool, optional
        Force (True) or forbid (False) scientific notation; by default it is
        used for 0 < |x| < 10⁻³ and |x| ≥ 10⁵, e.g. conductivities
        (``fmt_num(5.113e-4) == "5.11 × 10⁻⁴"``).
    trim : bool, default False
        Drop trailing zeros of the fixed notation (``fmt_num(50.0, trim=True) == "50"``),
        for grid positions and settings rather than estimates.

    Examples
    --------
    >>> fmt_num(0.8888889)
    '0.889'
    >>> fmt_num(-0.70764, 2)
    '−0.71'
    """
    v = _finite(x)
    if v is None:
        return MISSING
    if digits < 1:
        raise ValueError(f"digits: got {digits!r}, expected an integer ≥ 1")
    use_sci = sci if sci is not None else (v != 0 and (abs(v) < _SCI_LOW or abs(v) >= _SCI_HIGH))
    if use_sci and v != 0:
        return fmt_sci(v, digits)
    text = f"{v:.0f}" if abs(v) >= 10 ** digits else _sig(v, digits)
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return _minus(text)


def fmt_fixed(x: object, decimals: int = 2) -> str:
    """Fixed number of decimals (``fmt_fixed(0.6887, 2) == "0.69"``), true minus sign."""
    v = _finite(x)
    if v is None:
        return MISSING
    text = f"{v:.{decimals}f}"
    if float(text) == 0:  # no "−0.00"
        text = text.lstrip("-")
    return _minus(text)


def fmt_int(x: object) -> str:
    """An integer count (``fmt_int(110.0) == "110"``)."""
    v = _finite(x)
    if v is None:
        return MISSING
    return _minus(f"{round(v):d}")


def fmt_p(p: object, *, prefix: bool = True) -> str:
    """APA p-value: ``p < .001``, ``p = .032``, ``p > .999``; no leading zero.

    Parameters
    ----------
    p : float
    prefix : bool, default True
        With the ``p`` (for sentences); without it (``"< .001"``, ``".032"``)
        for a table column headed *p*.

    Examples
    --------
    >>> fmt_p(1.5e-12)
    'p < .001'
    >>> fmt_p(0.0321, prefix=False)
    '.032'
    """
    v = _finite(p)
    if v is None:
        return MISSING
    if -1e-12 <= v < 0 or 1 < v <= 1 + 1e-12:  # floating-point noise
        v = min(max(v, 0.0), 1.0)
    if not 0 <= v <= 1:
        raise ValueError(f"p-value: got {v!r}, expected a number from 0 to 1")
    if v < 0.001:
        body = "< .001"
    elif v > 0.999:
        body = "> .999"
    else:
        body = "= " + f"{v:.3f}".lstrip("0")
    if prefix:
        return "p " + body
    return body.removeprefix("= ")


def fmt_pct(x: object, decimals: int = 1) -> str:
    """A proportion (0–1) as a percentage: ``fmt_pct(0.6487) == "64.9 %"``."""
    v = _finite(x)
    if v is None:
        return MISSING
    return _minus(f"{100 * v:.{decimals}f}") + "\u00a0%"


def fmt_pm(mean: object, sd: object, digits: int = 3) -> str:
    """Mean ± SD with the same decimals for both.

    The decimals follow ``digits`` significant digits of the larger of |mean|
    and SD. Small values (conductivities) share one power of ten:
    ``(5.16 ± 1.43) × 10⁻⁴``.

    Examples
    --------
    >>> fmt_pm(45.9498, 10.8537)
    '45.9 ± 10.9'
    """
    m, s = _finite(mean), _finite(sd)
    if m is None:
        return MISSING
    big = max(abs(m), abs(s) if s is not None else 0.0)
    if big != 0 and (big < _SCI_LOW or big >= _SCI_HIGH):
        exp = _exponent(big, digits)
        scale = 10.0 ** exp
        decimals = digits - 1
        ms = _minus(f"{m / scale:.{decimals}f}")
        ss = f"{s / scale:.{decimals}f}" if s is not None else MISSING
        return f"({ms} ± {ss}) × 10{str(exp).translate(_SUPERSCRIPT)}"
    if big == 0:
        decimals = digits - 1
    else:
        decimals = max(digits - 1 - _exponent(big, digits), 0)
    ms = _minus(f"{m:.{decimals}f}")
    ss = f"{s:.{decimals}f}" if s is not None else MISSING
    return f"{ms} ± {ss}"


def fmt_range(low: object, high: object, decimals: int = 2) -> str:
    """A closed range with an en dash and fixed decimals: ``0.60–1.20``; one value if both ends agree."""
    lo, hi = _finite(low), _finite(high)
    if lo is None or hi is None:
        return MISSING
    a, b = fmt_fixed(lo, decimals), fmt_fixed(hi, decimals)
    return a if a == b else f"{a}–{b}"


def fmt_window(low: object, high: object, first: object, last: object, decimals: int = 2) -> str:
    """:func:`fmt_range` of a run on a grid from ``first`` to ``last``; an end on the grid's edge gets ``≤`` / ``≥``.

    ``fmt_window(0.6, 1.04, 0.6, 1.4) == "≤ 0.60–1.04"``: the run may go on beyond the tested range.
    """
    text = fmt_range(low, high, decimals)
    lo, hi, a, b = _finite(low), _finite(high), _finite(first), _finite(last)
    if text == MISSING or a is None or b is None:
        return text
    at_lo, at_hi = fmt_fixed(lo, decimals) == fmt_fixed(a, decimals), fmt_fixed(hi, decimals) == fmt_fixed(b, decimals)
    if at_lo and at_hi:
        return f"≤ {fmt_fixed(lo, decimals)} to ≥ {fmt_fixed(hi, decimals)}" if lo != hi else text
    if at_lo:
        return f"≤ {text}"
    if at_hi:
        return f"{text.replace('–', ' to ≥ ') if '–' in text else '≥ ' + text}"
    return text


def fmt_trimmed(x: object, digits: int = 3) -> str:
    """:func:`fmt_num` without trailing zeros, in the mantissa of scientific notation too
    (``fmt_trimmed(3e-4) == "3 × 10⁻⁴"``), for limits a user typed."""
    text = fmt_num(x, digits, trim=True)
    if " × " in text:
        mantissa, rest = text.split(" × ", 1)
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa} × {rest}"
    return text


def fmt_compare(value: object, limit: object, digits: int = 3) -> tuple[str, str]:
    """A measured value and the limit it is compared with, as two strings that differ when the numbers do.

    Both get ``digits`` significant digits, or more (up to 6) where fewer would show them equal,
    so that a reason never reads ``"RD = 0.101 > 0.101"``; trailing zeros are dropped.

    Examples
    --------
    >>> fmt_compare(1.7e-4, 3e-4)
    ('1.7 × 10⁻⁴', '3 × 10⁻⁴')
    >>> fmt_compare(0.10095, 0.1009175)
    ('0.10095', '0.10092')
    """
    a, b = fmt_trimmed(value, digits), fmt_trimmed(limit, digits)
    d = digits
    while a == b and d < 6 and _finite(value) != _finite(limit):
        d += 1
        a, b = fmt_trimmed(value, d), fmt_trimmed(limit, d)
    return a, b
