"""Number formatting of reports (ssereport.format)."""

from __future__ import annotations

import math

import pytest

from ssereport.format import (MISSING, fmt_fixed, fmt_int, fmt_num, fmt_p, fmt_pct, fmt_pm, fmt_range,
                                      fmt_sci)


@pytest.mark.parametrize(("p", "expected"), [
    (1.5e-12, "p < .001"),
    (0.000999, "p < .001"),
    (0.001, "p = .001"),
    (0.0321, "p = .032"),
    (0.04834, "p = .048"),
    (0.5, "p = .500"),
    (0.9996, "p > .999"),
    (1.0, "p > .999"),
    (1.0 + 1e-15, "p > .999"),
])
def test_fmt_p_apa(p, expected):
    assert fmt_p(p) == expected


def test_fmt_p_without_prefix_for_tables():
    assert fmt_p(1e-9, prefix=False) == "< .001"
    assert fmt_p(0.0041105, prefix=False) == ".004"


@pytest.mark.parametrize("p", [None, float("nan")])
def test_fmt_p_missing(p):
    assert fmt_p(p) == MISSING


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_fmt_p_rejects_impossible_values(p):
    with pytest.raises(ValueError, match="expected a number from 0 to 1"):
        fmt_p(p)


@pytest.mark.parametrize(("x", "digits", "expected"), [
    (0.8888888, 3, "0.889"),
    (54.445458, 3, "54.4"),
    (79.651, 3, "79.7"),
    (110.0, 3, "110"),
    (1234.6, 3, "1235"),
    (-0.70764, 2, "\u22120.71"),
    (0.0, 3, "0.00"),
    (5.113e-4, 3, "5.11 × 10⁻⁴"),
    (6.0e-4, 3, "6.00 × 10⁻⁴"),
    (-2.5e-5, 2, "\u22122.5 × 10⁻⁵"),
    (123456.0, 3, "1.23 × 10⁵"),
    (0.99951, 3, "1.00"),
])
def test_fmt_num_significant_digits(x, digits, expected):
    assert fmt_num(x, digits) == expected


def test_fmt_num_options():
    assert fmt_num(50.0, trim=True) == "50"
    assert fmt_num(0.020000001, 2, trim=True) == "0.02"
    assert fmt_num(0.5, sci=True) == "5.00 × 10⁻¹"
    assert fmt_num(5e-4, sci=False) == "0.000500"
    assert fmt_num(float("inf")) == MISSING
    assert fmt_num(None) == MISSING
    assert fmt_num(True) == MISSING
    with pytest.raises(ValueError, match="digits"):
        fmt_num(1.0, 0)


def test_fmt_sci_superscript_exponent():
    assert fmt_sci(1.2e-12) == "1.20 × 10⁻¹²"


def test_fmt_fixed_and_int():
    assert fmt_fixed(0.6887, 2) == "0.69"
    assert fmt_fixed(-0.001, 2) == "0.00"  # no negative zero
    assert fmt_fixed(-0.5, 1) == "\u22120.5"
    assert fmt_int(110.0) == "110"
    assert fmt_int(math.nan) == MISSING


def test_fmt_pct():
    assert fmt_pct(0.648697) == "64.9\u00a0%"
    assert fmt_pct(0.9, 0) == "90\u00a0%"


def test_fmt_pm():
    assert fmt_pm(45.94981, 10.853726) == "45.9 ± 10.9"
    assert fmt_pm(0.950000, 0.16723) == "0.950 ± 0.167"
    assert fmt_pm(5.159783e-4, 1.4265e-4) == "(5.16 ± 1.43) × 10⁻⁴"
    assert fmt_pm(2.0, float("nan")) == "2.00 ± –"
    assert fmt_pm(None, 1.0) == MISSING


def test_fmt_range():
    assert fmt_range(0.6, 1.04) == "0.60–1.04"
    assert fmt_range(0.6, 0.6) == "0.60"
    assert fmt_range(None, 1.0) == MISSING
