from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "ssereport-mpl"))
os.environ.setdefault("MPLBACKEND", "Agg")

# On a developer's machine Hypothesis explores new random examples on every run (and replays the ones that
# failed); in CI (CI=true, set by .ci/run) it runs a fixed set, so a build is reproducible.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_CSV = ROOT / "data" / "sse_films_reference.csv"
REF_DIR = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="session")
def reference_path() -> Path:
    return REFERENCE_CSV


@pytest.fixture(scope="session")
def reference_table():
    from ssereport import load_films

    return load_films(REFERENCE_CSV)


@pytest.fixture(scope="session")
def reference_results(reference_table):
    from ssereport import analyze

    return analyze(reference_table)


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file and return its path."""

    def _write(text: str, name: str = "films.csv", encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture(scope="session")
def reference_text() -> str:
    return REFERENCE_CSV.read_text(encoding="utf-8")


def need_weasyprint() -> None:
    """Skip unless WeasyPrint and its Pango libraries work here; CI (which installs both) never skips."""
    if os.environ.get("CI"):
        return
    try:
        import weasyprint  # noqa: F401  (loads Pango through cffi: OSError when the libraries are missing)
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot run here ({type(exc).__name__}): pip install ssereport[weasyprint] "
                    "and apt-get install libpango-1.0-0 libpangoft2-1.0-0")
