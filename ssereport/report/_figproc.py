"""Draw a study's figures in a second, forked process while this one computes.

``ssereport report`` starts a :class:`FigureProcess` before the analysis. The
child imports matplotlib while the parent imports SciPy, scikit-learn and
statsmodels; the pipeline hands over each stage as it is computed
(:func:`ssereport.pipeline.analyze`'s ``on_stage``), process maps first, and the
child draws every figure whose results are there and sends it back. As soon
as the classifier is there the parent also sends the next experiments the
decision maps mark (``StudyResults.suggestions``); when the analysis is done it
sends the rest and collects the figures.

Notes
-----
What both processes use (NumPy, pandas, ssereport's own modules:
:data:`SHARED`) is imported once before the fork (``multiprocessing`` "fork"
context, Linux only) and the garbage collector frozen (``gc.freeze``), so the
child shares those pages. Past that point each side imports only its own
libraries: the child matplotlib (:data:`CHILD`), the parent the analysis'
SciPy, scikit-learn, imbalanced-learn and statsmodels, each on its own core
(measured: importing everything before the fork kept 0.5 s of matplotlib
import on the parent's path; a child forked before pandas imported it a
second time). The stages reach the child pickled through a pipe without the
fitted pipelines (``ClassifierResult.model`` and ``cv_models``: no figure
draws them, and unpickling them would import imbalanced-learn there). The
child draws with the same functions (:func:`ssereport.report.figures.render_figures`)
from the same numbers, so every SVG, and so the HTML and the PDF, is
byte-identical to the sequential path (``tests/test_figproc.py``). It draws
with one BLAS/OpenMP thread (``threadpoolctl.threadpool_limits(1)``), leaving
the other core to the analysis. Any failure in the child (an exception, a
crash) leaves its figures to the parent, which draws them as the sequential
path does and so raises the same errors; on other platforms the parent draws
them all.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults
    from .figures import FigureOutput

__all__ = ["CHILD", "NEEDS", "ORDER", "SHARED", "FigureProcess", "figure_needs", "figure_order"]


def figure_needs() -> dict[str, frozenset[str]]:
    """Results fields each figure of :data:`ssereport.report.figures.FIGURES` reads, from its ``needs``.

    ``"suggestions"`` is ``StudyResults.suggestions``, computed by the parent as soon as
    :data:`SUGGEST_FROM` is there. Read at call time, so a figure added to the registry is included.
    """
    from .figures import FIGURES

    return {key: spec.needs for key, spec in FIGURES.items()}


def figure_order() -> tuple[str, ...]:
    """The child's drawing order: by the pipeline stage (:data:`ssereport.pipeline.STAGES`) that completes
    each figure's needs, registry order within a stage, so that the stages computed first are drawn first.

    Raises
    ------
    ValueError
        If a figure needs a field no stage hands over.
    """
    from ..pipeline import STAGES

    have: set[str] = set()
    ready_at: dict[str, int] = {}
    needs = figure_needs()
    for i, fields in enumerate(STAGES):
        have.update(fields)
        if SUGGEST_FROM <= have:
            have.add("suggestions")
        for key, need in needs.items():
            if key not in ready_at and need <= have:
                ready_at[key] = i
    missing = {k: sorted(n - have) for k, n in needs.items() if k not in ready_at}
    if missing:
        raise ValueError(f"figures {missing}: need results fields no pipeline stage hands over; expected "
                         f"fields of {sorted(have)}")
    return tuple(sorted(needs, key=lambda k: ready_at[k]))


def __getattr__(name: str) -> Any:
    # NEEDS and ORDER are derived from the registry when read, so that a registered figure is included
    if name == "NEEDS":
        return figure_needs()
    if name == "ORDER":
        return figure_order()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The stages ``StudyResults.suggestions`` (:func:`ssereport.analysis.suggest.next_experiments`) reads.
SUGGEST_FROM: frozenset[str] = frozenset({"table", "config", "clusters", "classifier", "decision_map"})

#: Seconds :meth:`FigureProcess.collect` waits for the child's last figures before drawing them itself.
JOIN_TIMEOUT_S = 300.0

#: Imported before the fork, shared by both processes (the stages' types live here).
SHARED: tuple[str, ...] = ("numpy", "pandas", "threadpoolctl", "ssereport.pipeline", "ssereport.report.figures")

#: Imported by the child only, while the parent imports the analysis' libraries.
CHILD: tuple[str, ...] = ("matplotlib.figure", "matplotlib.backends.backend_svg")

#: Imported by the child while it waits for a stage (the confusion matrix is scikit-learn's
#: ``ConfusionMatrixDisplay``, whose ``plot`` imports pyplot: 0.9 s of imports that would otherwise
#: delay the last figures).
CHILD_IDLE: tuple[str, ...] = ("sklearn.metrics", "matplotlib.pyplot")


def _import(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        importlib.import_module(name)


def _partial(fields: dict[str, Any]) -> StudyResults:
    """A :class:`StudyResults` holding the stages computed so far (``None`` for the others)."""
    from ..pipeline import StudyResults

    values = {f.name: fields.get(f.name) for f in dataclasses.fields(StudyResults)}
    values["provenance"] = values["provenance"] or {}
    results = StudyResults(**values)
    if "suggestions" in fields:  # a functools.cached_property: its value lives in the instance's __dict__
        results.__dict__["suggestions"] = fields["suggestions"]
    return results


def _child(conn) -> None:
    """The figure process: import matplotlib, then receive stages and draw every figure that is ready."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
        _import(CHILD)  # while the parent imports SciPy, scikit-learn and statsmodels
        from .. import theme
        from .figures import render_figures

        theme.register_fonts()
        needs = figure_needs()
        keys = list(figure_order())
        fields: dict[str, Any] = {}
        done: set[str] = set()
        idle = list(CHILD_IDLE)
        while len(done) < len(keys):
            while idle and done and not conn.poll():  # drawn all that is ready: import what later figures need
                _import((idle.pop(0),))
            msg = conn.recv()
            if msg is None:
                break
            fields.update(msg)
            for key in keys:
                if key in done or not needs[key] <= fields.keys():
                    continue
                done.add(key)
                try:
                    conn.send((key, render_figures(_partial(fields), keys=[key])[key]))
                except Exception:  # the parent draws it again and raises the same error there
                    conn.send((key, None))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
    except Exception:  # pragma: no cover - reported, then the parent draws everything itself
        if os.environ.get("SSEREPORT_DEBUG"):
            traceback.print_exc()
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's inherited buffers


def _early_suggestions(fields: dict[str, Any]) -> Any:
    """``StudyResults.suggestions`` from the stages so far (it reads only :data:`SUGGEST_FROM`), or None.

    Computed as soon as the classifier is there, the decision maps that mark them are drawn while the tests
    run; :meth:`FigureProcess.finish` hands the same object to the final results (``next_experiments`` is
    seeded: the value is the one the results would compute). Any error is left to the final results.
    """
    from ..analysis.suggest import next_experiments

    try:
        return next_experiments(_partial(fields))
    except Exception:
        return None


class FigureProcess:
    """A forked process drawing the report's figures; use as a context manager.

    Parameters
    ----------
    enabled : bool, default True
        False (and any platform but Linux) draws everything in this process
        at :meth:`collect`, as :func:`ssereport.report.figures.render_figures`.

    Examples
    --------
    >>> with FigureProcess() as figs:                                 # doctest: +SKIP
    ...     results = analyze(table, config, on_stage=figs.stage)
    ...     render_report(results, "reports/", figures=figs)
    """

    def __init__(self, *, enabled: bool = True):
        self._conn = None
        self._proc = None
        # every field handed over so far, as computed (the parent's own objects; "suggestions" once tried,
        # None if that failed)
        self._fields: dict[str, Any] = {}
        self._finished = False
        self._froze = False
        if not enabled or not sys.platform.startswith("linux"):
            # fork is safe on Linux; macOS's system libraries (Accelerate, used by NumPy's BLAS there)
            # are not fork-safe, and Windows has no fork: both draw in this process
            return
        _import(SHARED)
        if not gc.get_freeze_count():
            # CPython's advice before fork: the imported objects leave the collector's lists, so neither
            # process copies their pages by collecting them, and full collections (statsmodels'
            # multipletests runs one per call) skip them
            gc.freeze()
            self._froze = True
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(child,), daemon=True, name="ssereport-figures")
        self._proc.start()
        child.close()
        self._conn = parent
        # Drain the child's figures as they come, so that neither side ever blocks on a full pipe
        # (the parent sending a stage while the child sends a figure would otherwise wait forever).
        self._received: dict[str, Any] = {}
        self._reader = threading.Thread(target=self._drain, name="ssereport-figures-reader", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        conn = self._conn
        try:
            while True:
                key, fig = conn.recv()
                self._received[key] = fig
        except (EOFError, OSError, TypeError, ValueError):
            pass

    # -- parent side -------------------------------------------------------------------------------
    def stage(self, fields: dict[str, Any]) -> None:
        """Hand the fields of a finished analysis stage to the child (``name -> value``)."""
        fields = {k: v for k, v in fields.items() if k not in self._fields}
        if self._conn is None or not fields:
            return
        self._fields.update(fields)
        if "classifier" in fields:
            # the fitted pipelines are not drawn; leaving them out spares the child importing scikit-learn
            # and imbalanced-learn to unpickle them
            fields = {**fields, "classifier": dataclasses.replace(fields["classifier"], model=None, cv_models=())}
        if "suggestions" not in self._fields and SUGGEST_FROM <= self._fields.keys():
            early = self._fields["suggestions"] = _early_suggestions(self._fields)
            if early is not None:
                fields["suggestions"] = early
        try:
            self._conn.send(fields)
        except (OSError, ValueError):  # the child is gone: the parent draws everything
            self._drop()

    def finish(self, results: StudyResults) -> None:
        """Send the last stages (the whole ``results`` and its ``suggestions``) and end the stages.

        Call it as soon as the analysis is done (:func:`ssereport.report.render.render_report`
        does, before writing the JSON), so the child draws the last figures meanwhile.
        Idempotent; :meth:`collect` calls it too.
        """
        early = self._fields.get("suggestions")
        if early is not None and "suggestions" not in results.__dict__:
            results.__dict__["suggestions"] = early  # the cached_property's value, computed early
        if self._conn is not None and not self._finished:
            last = {f.name: getattr(results, f.name) for f in dataclasses.fields(results)}
            self.stage({**last, "suggestions": results.suggestions})
        if self._conn is not None and not self._finished:
            try:  # no more stages: the child ends once it has drawn what they allow
                self._conn.send(None)
            except (OSError, ValueError):
                self._drop()
        self._finished = True

    def collect(self, results: StudyResults) -> dict[str, FigureOutput]:
        """Every figure of ``results``, in :data:`ssereport.report.figures.FIGURES` order.

        Sends the last stages (:meth:`finish`), waits for the child's figures
        and draws here any the child could not (it failed on one, or is gone).
        """
        from .figures import FIGURES, render_figures

        keys = list(FIGURES)
        out: dict[str, FigureOutput] = {}
        self.finish(results)
        if self._proc is not None:
            # a child stuck for minutes is stopped by close(), and its figures are drawn below, here
            self._proc.join(timeout=JOIN_TIMEOUT_S)
            self._reader.join(timeout=5.0)
            out.update({k: v for k, v in dict(self._received).items() if v is not None})
            self.close()
        missing = [k for k in keys if k not in out]
        if missing:
            out.update(render_figures(results, keys=missing))
        return {k: out[k] for k in keys}

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Stop the child (at once if it is still drawing) and reap it."""
        proc = self._proc
        self._drop()
        self._proc = None
        if proc is not None:
            # collect() has waited for the child already: one still alive here is drawing figures nobody
            # will read (the analysis failed, e.g. on its input), so it is stopped without waiting for it
            if proc.is_alive():
                proc.terminate()
            proc.join()
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def __enter__(self) -> FigureProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
