"""Versions of the libraries behind a result, for provenance blocks."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

__all__ = ["PACKAGES", "package_versions", "typst_compiler_version"]

PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "imbalanced-learn", "statsmodels", "matplotlib", "pint",
            "skops", "jinja2", "typst", "openpyxl")


def package_versions() -> dict[str, str]:
    """``{distribution: version}`` of the libraries ssereport computes and renders with.

    Read from the installed distributions' metadata once per process (20 ms; a
    ``batch`` worker or ``watch`` stamps every batch with them); a new dict each call.
    """
    return dict(_versions())


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return tuple(out.items())


@lru_cache(maxsize=1)
def typst_compiler_version() -> str | None:
    """The version of the Typst compiler inside the ``typst`` package (Typst's ``sys.version``), or None.

    It can differ from the package's own version (package 0.15.2 bundles compiler 0.15.1), and it is the one
    the PDF metadata (Creator) states.
    """
    import tempfile
    from pathlib import Path

    try:
        import typst

        with tempfile.TemporaryDirectory(prefix="ssereport-typst-version-") as tmp:
            src = Path(tmp) / "v.typ"
            src.write_text("", encoding="utf-8")
            out = typst.eval(str(src), "str(sys.version)", root=tmp, font_paths=[], ignore_system_fonts=True)
        return str(out).strip().strip('"') or None
    except Exception:  # pragma: no cover - no typst, or a binding without eval
        return None
