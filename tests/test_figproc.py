"""The figure process of ``ssereport report`` (report/_figproc.py): same files as the sequential path.

The studies here use the tests' fast settings (no bootstrap, one CV repeat; conftest.FAST_SETTINGS):
what is tested is the hand-over of stages and figures, which the bootstrap does not change. The
figures drawn in this process from those results are drawn once (the ``baseline`` fixture).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

import ssereport.report.context as context_module
import ssereport.report.sections.overview as overview_module
from ssereport.config import Config
from ssereport.report.figures import FIGURES, render_figures
from ssereport.pipeline import STAGES, analyze
from ssereport.report._figproc import NEEDS, ORDER, FigureProcess, figure_order
from ssereport.report.render import render_report

from .conftest import FAST_SETTINGS
from .conftest import REFERENCE_CSV as REFERENCE

FAST = Config(**FAST_SETTINGS)


class _FixedNow(datetime):
    """``datetime.now`` at a fixed instant, so two renderings can be compared byte for byte."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _study(table, figs=None):
    stages = []

    def on_stage(fields):
        stages.append(tuple(fields))
        if figs is not None:
            figs.stage(fields)

    return analyze(table, FAST, on_stage=on_stage), stages


def _numbers(results) -> str:
    """The results JSON without its creation time: equal for two runs of the same study."""
    return results.to_json().replace(results.provenance["created"], "")


@dataclass(frozen=True)
class Baseline:
    results: object
    figures: dict


@pytest.fixture(scope="module")
def baseline(fast_results):
    """The fast study and every figure of it drawn in this process (the sequential path), once for the module."""
    return Baseline(fast_results, render_figures(fast_results))


#: The figures of the tests of the process's mechanics (a dead child, an error, drawing disabled): one of each
#: early stage's, cheap to draw; every figure goes through the child in the tests above them.
FEW = ("process_maps_dot", "scree", "boxplots", "confusion")


@pytest.fixture
def few_figures(monkeypatch):
    """The figure registry cut to :data:`FEW` (read at call time by both processes: the child is forked after)."""
    import ssereport.report.figures as figures_module

    monkeypatch.setattr(figures_module, "FIGURES", {k: figures_module.FIGURES[k] for k in FEW})
    return FEW


def test_every_figure_has_its_needs():
    # NEEDS and ORDER come from the registry's specs, nowhere else
    assert NEEDS == {k: s.needs for k, s in FIGURES.items()}
    assert set(ORDER) == set(FIGURES)
    # drawn in the order the pipeline hands the stages over: process maps, PCA, classes, classifier
    assert ORDER == ("process_maps_thickness", "process_maps_dot", "process_maps_sigma", "dot_mean",
                     "scree", "correlation_circle", "pc_scatter", "boxplots",
                     "oversampling", "confusion", "decision_maps")


def test_the_drawing_order_follows_a_new_figures_needs(monkeypatch):
    spec = FIGURES["scree"]
    monkeypatch.setitem(FIGURES, "early", type(spec)(**{**spec.__dict__, "key": "early", "needs": {"table"}}))
    assert figure_order()[0] == "early"  # only the first stage needed: drawn first, wherever it is registered
    monkeypatch.setitem(FIGURES, "never", type(spec)(**{**spec.__dict__, "key": "never", "needs": {"nothing"}}))
    with pytest.raises(ValueError, match="'never'.*nothing"):
        figure_order()


def test_stages_come_in_order_and_do_not_change_the_results(reference_table, fast_results):
    results, stages = _study(reference_table)
    assert stages == list(STAGES)
    assert stages[:3] == [("table", "config"), ("maps",), ("pca",)]
    # the classifier before the tests: its figures (drawn last) start while the tests run
    assert stages[4:] == [("classifier", "decision_map"), ("kruskal", "dunn", "anova")]
    assert _numbers(results) == _numbers(fast_results)  # the same numbers as analyze()


def test_report_files_identical_to_sequential(reference_table, tmp_path, monkeypatch):
    monkeypatch.setattr(context_module, "datetime", _FixedNow)
    monkeypatch.setattr(overview_module, "datetime", _FixedNow)  # "Report rendered" on the summary page
    with FigureProcess() as figs:
        assert figs._proc is not None and figs._proc.is_alive()
        results, _ = _study(reference_table, figs)
        parallel = render_report(results, tmp_path / "par", figures=figs)
    sequential = render_report(results, tmp_path / "seq")
    for kind in ("json", "csv", "html", "pdf"):
        assert parallel[kind].read_bytes() == sequential[kind].read_bytes(), kind


def test_child_drew_figures_and_they_equal_the_sequential_ones(reference_table, baseline, monkeypatch):
    import ssereport.report._figproc as figproc

    # the child must end by itself once the stages are over (it would otherwise wait for the join's timeout)
    monkeypatch.setattr(figproc, "JOIN_TIMEOUT_S", 20.0)
    with FigureProcess() as figs:
        results, _ = _study(reference_table, figs)
        proc = figs._proc
        got = figs.collect(results)
        by_child = {k for k, v in figs._received.items() if v is not None}
    assert not proc.is_alive()
    assert proc.exitcode == 0  # ended by itself, not terminated by close()
    assert by_child == set(FIGURES)  # every figure, the decision maps with the suggestions sent last too
    assert list(got) == list(FIGURES)
    assert _numbers(results) == _numbers(baseline.results)  # so the baseline is these results' figures
    assert got == baseline.figures


def test_a_dead_child_leaves_the_figures_to_the_parent(reference_table, baseline, few_figures):
    with FigureProcess() as figs:
        os.kill(figs._proc.pid, signal.SIGKILL)
        figs._proc.join()
        results, _ = _study(reference_table, figs)
        got = figs.collect(results)
    assert _numbers(results) == _numbers(baseline.results)
    assert got == {k: baseline.figures[k] for k in few_figures}


def test_disabled_draws_in_process(baseline, few_figures):
    with FigureProcess(enabled=False) as figs:
        assert figs._proc is None
        assert figs.collect(baseline.results) == {k: baseline.figures[k] for k in few_figures}


def test_an_error_while_drawing_reaches_the_caller(reference_table, monkeypatch, few_figures):
    # a figure that cannot be drawn fails in the child and is drawn again by the parent, which raises
    import ssereport.report.figures as figures_module

    spec = figures_module.FIGURES["scree"]

    def broken(results):
        raise RuntimeError("scree cannot be drawn")

    monkeypatch.setitem(figures_module.FIGURES, "scree", type(spec)(**{**spec.__dict__, "draw": broken}))
    with FigureProcess() as figs:
        results, _ = _study(reference_table, figs)
        with pytest.raises(RuntimeError, match="scree cannot be drawn"):
            figs.collect(results)


def test_the_parent_never_imports_matplotlib(tmp_path, fast_config_file):
    """The child draws every figure; the parent of `ssereport report` imports only the analysis' libraries."""
    import subprocess
    import sys

    code = ("import sys; from ssereport.cli import main; "
            f"rc = main(['report', {str(REFERENCE)!r}, '--out', {str(tmp_path)!r}, '--quiet', "
            f"'--config', {str(fast_config_file)!r}]); "
            "print(rc, 'matplotlib' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.stdout.split() == ["0", "False", "True"], out.stderr
    assert (tmp_path / "sse_films_reference.pdf").stat().st_size > 100_000


def test_suggestions_sent_early_are_the_results_own(reference_table, few_figures):
    """The next experiments computed at the classifier stage are the value StudyResults.suggestions gives."""
    from ssereport.analysis.suggest import next_experiments

    with FigureProcess() as figs:
        results, _ = _study(reference_table, figs)
        early = figs._fields.get("suggestions")
        assert early is not None  # computed and sent with the classifier, before the tests
        figs.finish(results)
        assert results.suggestions is early
        figs.collect(results)
    assert early.to_dict() == next_experiments(results).to_dict()
