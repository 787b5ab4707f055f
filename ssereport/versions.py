"""Versions of the libraries behind a result, for provenance blocks."""

from __future__ import annotations

from importlib import metadata

__all__ = ["PACKAGES", "package_versions"]

PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "imbalanced-learn", "statsmodels", "matplotlib", "pint",
            "skops", "jinja2", "typst", "openpyxl")


def package_versions() -> dict[str, str]:
    """``{distribution: version}`` of the libraries ssereport computes and renders with."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return out
