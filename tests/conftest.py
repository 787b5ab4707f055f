from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
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


#: The tests' fast analysis settings: no bootstrap, one cross-validation repeat (every other setting the
#: default). Used where a test needs *an* analysis, not the bootstrap or the CV spread; a supported
#: option (``Config`` / a ``--config`` file), not a patched internal.
FAST_SETTINGS = {"n_bootstrap": 0, "cv_repeats": 1}


@pytest.fixture(scope="session")
def fast_config():
    """:data:`FAST_SETTINGS` as a :class:`ssereport.Config`."""
    from ssereport import Config

    return Config(**FAST_SETTINGS)


@pytest.fixture(scope="session")
def fast_config_file(tmp_path_factory) -> Path:
    """:data:`FAST_SETTINGS` as a settings file for the command line's ``--config``."""
    path = tmp_path_factory.mktemp("settings") / "fast.toml"
    path.write_text("[analysis]\n" + "".join(f"{k} = {v}\n" for k, v in FAST_SETTINGS.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def fast_results(reference_table, fast_config):
    """The reference films analysed with :data:`FAST_SETTINGS`, once per session (per xdist worker)."""
    from ssereport import analyze

    return analyze(reference_table, fast_config)


@pytest.fixture(scope="session")
def reference_model(reference_results):
    """The reference model (``ssereport fit`` on the reference films with the default settings), once per session."""
    from ssereport.qa.model import fit_model

    return fit_model(reference_results)


@pytest.fixture(scope="session")
def reference_model_path(reference_model, tmp_path_factory) -> Path:
    """:func:`reference_model` saved as JSON, as ``ssereport fit --model`` writes it."""
    from ssereport.qa.model import save_model

    path = tmp_path_factory.mktemp("model") / "reference.json"
    save_model(reference_model, path)
    return path


@dataclass(frozen=True)
class Ran:
    """What a command did: as :class:`subprocess.CompletedProcess` names it."""

    returncode: int
    stdout: str
    stderr: str


def run_main(capsys, monkeypatch, *args: str | Path) -> Ran:
    """``ssereport *args`` in this process (``main``, as ``python -m ssereport`` calls it), output captured.

    The repository as the working directory, ``SSEREPORT_DEBUG`` unset; ``SystemExit`` is turned into its
    code as the interpreter would. Any other exception propagates and fails the test (the subprocess would
    print a traceback). Where the process boundary itself is at stake (signals, two processes, the entry
    point), tests start ``python -m ssereport``; ``tests/test_bad_inputs.py`` checks that both agree.
    """
    from ssereport.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SSEREPORT_DEBUG", raising=False)
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # noqa: PERF203 - what `sys.exit(main())` would end with
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return Ran(code, out, err)


@pytest.fixture
def ssereport_cli(capsys, monkeypatch):
    """:func:`run_main` bound to this test's captured output: ``ssereport_cli("batch", ...)`` -> :class:`Ran`."""

    def _run(*args: str | Path) -> Ran:
        return run_main(capsys, monkeypatch, *args)

    return _run


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


#: Tests that wait for another process against a deadline (the watcher, the headless browser): one xdist
#: work unit, so one worker runs them one after the other and two of them never compete for the CPU
#: (their deadlines stay as strict as without xdist).
TIMING_GROUP = ("tests/test_watch.py::", "tests/test_browser.py::")

#: Modules whose tests share no module- or class-scoped fixture: handed out test by test, last, so they
#: even out the workers at the end. Every other module is one work unit, so its module-scoped fixtures
#: (a rendered report, a fitted model) are set up once, not once per worker.
BY_TEST = frozenset({"tests/test_analysis.py", "tests/test_bad_inputs.py", "tests/test_cli.py",
                     "tests/test_doctests.py", "tests/test_engines.py", "tests/test_history.py",
                     "tests/test_input_spreadsheets.py", "tests/test_io.py", "tests/test_notebook.py",
                     "tests/test_numerics.py", "tests/test_pipeline.py", "tests/test_properties.py",
                     "tests/test_safety.py", "tests/test_sections.py"})


def xdist_scope(nodeid: str) -> str:
    """The work unit of a test under ``make test`` (pytest-xdist ``--dist loadscope``, see below)."""
    if nodeid.startswith(TIMING_GROUP):
        return "timing"
    module = nodeid.split("::", 1)[0]
    return nodeid if module in BY_TEST else module


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: no error when xdist is not loaded
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with the work units of :func:`xdist_scope`.

    pytest-xdist's own ``loadgroup`` cannot be used: with pytest 9 the ``xdist_group`` mark no longer
    reaches the node IDs the scheduler groups by (xdist 3.8 sets ``item._nodeid``, which pytest 9.2's
    ``nodeid`` no longer reads), so every marked test would be a unit of its own.
    """
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return Scheduling(config, log)
