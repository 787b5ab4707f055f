"""Draw a study's figures in a second, forked process while this one computes.

``ssereport report`` starts a :class:`FigureProcess` before the analysis. The
child imports matplotlib while the parent imports SciPy, scikit-learn and
statsmodels; the pipeline hands over each stage as it is computed
(:func:`ssereport.pipeline.analyze`'s ``on_stage``), process maps first, and the
child draws every figure whose results are there. When the analysis is done
the parent draws what the child has not started, from the far end of the
list, and collects the rest.

Notes
-----
The libraries of the analysis and of the figures are imported first
(:data:`PRELOAD`) and the garbage collector frozen (``gc.freeze``), then the
child is forked (``multiprocessing`` "fork" context, Linux only): it shares
the imported modules instead of importing them again (measured: a child
forked before the imports spent 1.8 s more CPU importing matplotlib, pandas
and scikit-learn a second time than it saved). It receives the stages
pickled through a pipe and draws with the same functions
(:func:`ssereport.figures.render_figures`) from the same numbers, so every
SVG, and so the HTML and the PDF, is byte-identical to the sequential path
(``tests/test_figproc.py``). A shared claim table under a lock makes each
figure drawn exactly once. The child draws with one BLAS/OpenMP thread
(``threadpoolctl.threadpool_limits(1)``), leaving the other core to the
analysis. Any failure in the child (an exception, a crash) leaves its figures
to the parent, which draws them as the sequential path does and so raises
the same errors; on other platforms the parent draws them all.
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
    from ..figures import FigureOutput
    from ..pipeline import StudyResults

__all__ = ["ORDER", "NEEDS", "FigureProcess"]

#: Results fields each figure of :data:`ssereport.figures.FIGURES` reads (drawing, alt text, caption).
NEEDS: dict[str, frozenset[str]] = {
    "process_maps_thickness": frozenset({"maps", "table", "config"}),
    "process_maps_dot": frozenset({"maps", "table", "config"}),
    "process_maps_sigma": frozenset({"maps", "table", "config"}),
    "dot_mean": frozenset({"maps", "config"}),
    "scree": frozenset({"pca"}),
    "correlation_circle": frozenset({"pca"}),
    "pc_scatter": frozenset({"pca", "clusters", "config"}),
    "boxplots": frozenset({"table", "clusters", "class_summary", "config"}),
    "oversampling": frozenset({"classifier"}),
    "confusion": frozenset({"classifier"}),
    "decision_maps": frozenset({"decision_map", "classifier", "table", "clusters", "config"}),
    # drawn by the parent: it needs StudyResults.suggestions, computed from the whole results (no stage sends it)
    "suggestions": frozenset({"suggestions"}),
}

#: Figures only the parent draws (their needs never reach the child).
PARENT_ONLY: frozenset[str] = frozenset({"suggestions"})

#: Seconds :meth:`FigureProcess.collect` waits for the child's last figures before drawing them itself.
JOIN_TIMEOUT_S = 300.0

#: The child's drawing order: the stages the pipeline computes first come first.
ORDER: tuple[str, ...] = tuple(NEEDS)


#: What the analysis and the figures import, loaded once before the fork (the child shares it).
PRELOAD: tuple[str, ...] = (
    "pandas", "scipy.stats", "scipy.interpolate", "sklearn.cluster", "sklearn.decomposition", "sklearn.metrics",
    "sklearn.model_selection", "sklearn.preprocessing", "sklearn.svm", "imblearn.over_sampling",
    "imblearn.pipeline", "statsmodels.formula.api", "statsmodels.stats.anova", "statsmodels.stats.multitest",
    "matplotlib.figure", "matplotlib.backends.backend_svg", "ssereport.pipeline", "ssereport.figures",
)


def _preload() -> None:
    """Import :data:`PRELOAD` (a child forked before would import them a second time: 1.8 s of CPU)."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)


def _partial(fields: dict[str, Any]) -> StudyResults:
    """A :class:`StudyResults` holding the stages computed so far (``None`` for the others)."""
    from ..pipeline import StudyResults

    values = {f.name: fields.get(f.name) for f in dataclasses.fields(StudyResults)}
    values["provenance"] = values["provenance"] or {}
    return StudyResults(**values)


def _child(conn, claims, lock) -> None:
    """The figure process: receive stages, draw every ready and unclaimed figure, send it back."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
        from ..figures import FIGURES, render_figures  # imports matplotlib while the parent computes

        keys = [k for k in ORDER if k in FIGURES and k not in PARENT_ONLY]
        fields: dict[str, Any] = {}
        done: set[str] = set()
        while len(done) < len(keys):
            msg = conn.recv()
            if msg is None:
                break
            fields.update(msg)
            for key in keys:
                if key in done or not NEEDS[key] <= fields.keys():
                    continue
                i = ORDER.index(key)
                with lock:
                    mine = not claims[i]
                    claims[i] = 1
                done.add(key)
                if not mine:
                    continue
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


class FigureProcess:
    """A forked process drawing the report's figures; use as a context manager.

    Parameters
    ----------
    enabled : bool, default True
        False (and any platform but Linux) draws everything in this process
        at :meth:`collect`, as :func:`ssereport.figures.render_figures`.

    Examples
    --------
    >>> with FigureProcess() as figs:                                 # doctest: +SKIP
    ...     results = analyze(table, config, on_stage=figs.stage)
    ...     render_report(results, "reports/", figures=figs)
    """

    def __init__(self, *, enabled: bool = True):
        self._conn = None
        self._proc = None
        self._sent: set[str] = set()
        self._froze = False
        if not enabled or not sys.platform.startswith("linux"):
            # fork is safe on Linux; macOS's system libraries (Accelerate, used by NumPy's BLAS there)
            # are not fork-safe, and Windows has no fork: both draw in this process
            return
        _preload()
        if not gc.get_freeze_count():
            # CPython's advice before fork: the imported objects leave the collector's lists, so neither
            # process copies their pages by collecting them, and full collections (statsmodels'
            # multipletests runs one per call) skip them
            gc.freeze()
            self._froze = True
        ctx = multiprocessing.get_context("fork")
        self._claims = ctx.RawArray("b", len(ORDER))
        self._lock = ctx.Lock()
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(child, self._claims, self._lock), daemon=True,
                                 name="ssereport-figures")
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
        fields = {k: v for k, v in fields.items() if k not in self._sent}
        if self._conn is None or not fields:
            return
        self._sent.update(fields)
        if "classifier" in fields and getattr(fields["classifier"], "model", None) is not None:
            # the fitted pipeline is not drawn; leaving it out spares the child importing imbalanced-learn
            fields = {**fields, "classifier": dataclasses.replace(fields["classifier"], model=None)}
        try:
            self._conn.send(fields)
        except (OSError, ValueError):  # the child is gone: the parent draws everything
            self._drop()

    def collect(self, results: StudyResults) -> dict[str, FigureOutput]:
        """Every figure of ``results``, in :data:`ssereport.figures.FIGURES` order.

        Sends the last stages, draws the figures the child has not claimed
        (the last in :data:`ORDER` first) and receives the child's.
        """
        from ..figures import FIGURES, render_figures

        keys = list(FIGURES)
        out: dict[str, FigureOutput] = {}
        if self._conn is not None:
            self.stage({f.name: getattr(results, f.name) for f in dataclasses.fields(results)})
        if self._conn is not None:
            try:  # no more stages: the child ends once it has drawn what it claimed from them
                self._conn.send(None)
            except (OSError, ValueError):
                self._drop()
        if self._conn is not None:
            mine = []
            while True:  # claim one at a time from the far end, while the child claims from the front
                with self._lock:
                    free = [i for i in range(len(ORDER)) if not self._claims[i]]
                    if free:
                        self._claims[free[-1]] = 1
                if not free:
                    break
                key = ORDER[free[-1]]
                mine.append(key)
                if key in FIGURES:
                    out.update(render_figures(results, keys=[key]))
            # the child ends once everything is claimed; its last figures are in the pipe by then (a child
            # stuck for minutes is stopped by close(), and its figures are drawn below, here)
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
            if proc.is_alive():
                proc.join(timeout=0.5)
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
