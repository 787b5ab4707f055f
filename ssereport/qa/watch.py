"""``ssereport watch``: judge every batch file that lands in a folder, in one long-lived process.

The process imports everything a batch report needs (pandas, scikit-learn,
matplotlib, the Typst compiler), compiles the templates and, with ``jobs > 1``,
forks its workers once, before it says it is ready; then each file costs only
its own work. Changes come from :func:`watchfiles.watch` (inotify on Linux,
FSEvents on macOS, polling elsewhere).

A file is read only once it is complete: its size and modification time must
be the same at ``checks`` polls ``interval`` seconds apart (by default 2 polls
0.2 s apart; ``ssereport watch --settle``). A writer that pauses longer than
that should write to a temporary name and rename it, which is always safe.
Files already in the folder when the watch starts are not judged (run
``ssereport batch`` on them). Temporary names (``~$x.xlsx``, ``.x.csv.swp``, ``x.csv.part``,
``x.tmp``, dot files) are never read. A file judged already is judged again only
when its content changes (size or modification time). Each batch writes its
JSON, HTML and PDF as ``ssereport batch`` does, then ``index.html`` over every
batch report in the output folder; a bad file gets its error message and an
error entry in the index, and the watch goes on. Ctrl-C (SIGINT) or SIGTERM
stops it after the batch being written, if any; every file is written
atomically, so no half-written report is left.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..errors import HistoryError
from .history import History, open_history
from .model import ReferenceModel
from .spec import Spec, check_spec

__all__ = ["SUFFIXES", "is_batch_file", "watch"]

#: The batch tables watch reads (case-insensitive).
SUFFIXES = (".csv", ".xlsx")
#: Names written by editors, browsers and copy tools while a file is not complete yet.
_TEMP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp", ".swx", "~")


def is_batch_file(path: str | Path) -> bool:
    """Whether ``path`` names a batch table watch should read (not a temporary or hidden name).

    Examples
    --------
    >>> from ssereport.qa.watch import is_batch_file
    >>> [is_batch_file(n) for n in ("b1.csv", "B2.XLSX", "~$b3.xlsx", ".b4.csv.swp", "b5.csv.part", "b6.tmp")]
    [True, True, False, False, False, False]
    """
    name = Path(path).name
    low = name.lower()
    if name.startswith(("~$", ".", "~")) or low.endswith(_TEMP_SUFFIXES):
        return False
    return low.endswith(SUFFIXES)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def wait_complete(paths: Iterable[Path], *, interval: float = 0.2, checks: int = 2, timeout: float = 60.0,
                  stop: threading.Event | None = None) -> dict[Path, tuple[int, int] | None]:
    """Wait until each file's size and mtime are the same at ``checks`` polls ``interval`` s apart.

    The first poll is at once, so a file that stopped changing is read after
    ``(checks - 1) * interval`` seconds. An empty file is never complete.

    Returns
    -------
    dict
        Path -> its ``(size, mtime_ns)`` once stable; ``None`` for a file that
        vanished, or was still changing after ``timeout`` seconds.
    """
    pending = {p: [_stat(p)] for p in paths}
    done: dict[Path, tuple[int, int] | None] = {}
    start = time.monotonic()
    while pending:
        if stop is not None and stop.wait(interval):
            break
        if stop is None:
            time.sleep(interval)
        for p in list(pending):
            seen = pending[p]
            seen.append(_stat(p))
            if seen[-1] is None:
                done[p] = None
                del pending[p]
            elif len(seen) >= checks and len(set(seen[-checks:])) == 1 and seen[-1][0] > 0:
                done[p] = seen[-1]
                del pending[p]
            elif time.monotonic() - start > timeout:
                done[p] = None
                del pending[p]
    return done


def _preload(formats: tuple[str, ...]) -> None:
    """Import and compile everything a batch report uses (as ``batch --jobs`` does before forking its
    workers, :func:`ssereport.qa.run._preload`), so the first file costs no more than the next."""
    from .run import _preload as preload_batch

    preload_batch(formats)
    gc.freeze()  # everything imported so far is permanent: the collector need not walk it again


def _noop() -> None:
    return None


def _line(outcome: dict[str, Any], seconds: float) -> str:
    if outcome["error"]:
        return f"ERROR  {outcome['source']}: {outcome['error']}"
    c = outcome["counts"]
    return (f"{outcome['verdict'].upper():5}  {outcome['batch_id']}: {c['pass']}/{c['films']} films pass -> "
            f"{', '.join(outcome['files'])} ({seconds:.2f} s)")


def watch(inbox: str | Path, model: ReferenceModel, out: str | Path, *, spec: Spec | None = None,
          formats: tuple[str, ...] = ("json", "html", "pdf"), jobs: int = 1, max_file_mb: float = 50.0,
          model_path: Path | None = None, columns: dict[str, str] | None = None, interval: float = 0.2,
          checks: int = 2, stop: threading.Event | None = None,
          echo: Callable[[str], None] | None = None, ready: Callable[[], None] | None = None,
          history: History | None = None, index_last: int = 100) -> int:
    """Judge every CSV/XLSX that appears or changes in ``inbox`` until stopped; return the number of batches.

    Parameters
    ----------
    inbox : str or Path
        The folder to watch (created if missing; subfolders included).
    model : ReferenceModel
        From :func:`ssereport.qa.model.load_model`.
    out : str or Path
        Where each batch's ``<batch>.json``, ``.html``, ``.pdf`` and ``index.html`` are written.
    spec : Spec, optional
        Spec limits (:func:`ssereport.qa.spec.load_spec`); checked once, before watching.
    formats, max_file_mb, model_path, columns
        As for :func:`ssereport.qa.run.run_batches`.
    jobs : int, default 1
        Worker processes, forked once after the imports; files landing together are judged in parallel.
    interval, checks : float, int
        A file is read once its size and mtime are the same at ``checks`` polls ``interval`` s apart.
    stop : threading.Event, optional
        Set it (from another thread) to stop watching; Ctrl-C and SIGTERM stop it too.
    echo : callable, optional
        Receives one line per batch (default: printed on stdout, errors on stderr).
    ready : callable, optional
        Called once everything is imported and the watch has started.
    history : History, optional
        Where every judgement is recorded before its files are written
        (default ``out/history.sqlite``); ``index_last``: the batches the index shows in full.

    Returns
    -------
    int
        The number of batch reports written.

    Notes
    -----
    :func:`watchfiles.watch` (Rust ``notify``); R has no equivalent in base, the
    closest is a loop over ``file.info(list.files(inbox))$mtime``.

    Examples
    --------
    >>> import threading
    >>> from ssereport.qa import load_model
    >>> from ssereport.qa.watch import watch
    >>> stop = threading.Event()
    >>> threading.Timer(30, stop.set).start()                                    # doctest: +SKIP
    >>> watch("inbox", load_model("models/reference.json"), "reports", stop=stop)  # doctest: +SKIP
    0
    """
    import logging

    import watchfiles

    from .run import process_file, process_in_worker, worker_init, write_index

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its "KeyboardInterrupt caught": we say it ourselves

    if spec is not None:
        check_spec(spec, model)
    inbox, out = Path(inbox), Path(out)
    inbox.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()

    def say(line: str, error: bool = False) -> None:
        if echo is not None:
            echo(line)
        else:
            print(line, file=sys.stderr if error else sys.stdout, flush=True)

    history = history if history is not None else open_history(out=out)
    _preload(formats)
    pool = None
    if jobs > 1:
        history.dispose()  # no database connection crosses the fork
        import multiprocessing

        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=worker_init, initargs=(model, True))  # the model sent once
        pool.submit(_noop).result()  # with fork every worker starts now, before the watcher's thread exists
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) \
        if threading.current_thread() is threading.main_thread() else None
    judged: dict[Path, tuple[int, int]] = {}
    errors: dict[str, dict[str, Any]] = {}
    n = 0
    out_abs = out.resolve()

    def wanted(change, path: str) -> bool:
        p = Path(path)
        return (change != watchfiles.Change.deleted and is_batch_file(p)
                and out_abs not in p.resolve().parents)

    try:
        # yield_on_timeout: the first (empty) yield comes once the OS watch is in place, and only then is the
        # watch ready: a file landing before that would be missed
        for changes in watchfiles.watch(inbox, watch_filter=wanted, stop_event=stop, debounce=800, step=50,
                                        raise_interrupt=False, rust_timeout=250, yield_on_timeout=True):
            if ready is not None:
                ready()
                ready = None
            if not changes:
                continue
            paths = sorted({Path(p) for _, p in changes})
            stable = wait_complete(paths, interval=interval, checks=checks, stop=stop)
            todo = [p for p, st in stable.items() if st is not None and judged.get(p) != st]
            if stop.is_set():
                break
            rest = (out, spec, formats, max_file_mb, model_path, columns, history)
            t0 = time.perf_counter()
            results = None
            if pool is not None and len(todo) > 1:
                try:
                    results = list(pool.map(process_in_worker, todo, *([a] * len(todo) for a in rest)))
                except BrokenProcessPool:  # a worker died (out of memory?): go on in this process
                    say("ssereport: a worker process stopped; judging in the main process from now on", error=True)
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
            if results is None:
                results = [process_file(p, model, *rest) for p in todo]
            seconds = time.perf_counter() - t0
            for p, outcomes in zip(todo, results):
                judged[p] = stable[p]
                errors.pop(p.name, None)
                for o in outcomes:
                    if o["error"]:
                        errors[p.name] = o
                    else:
                        n += 1
                    say(_line(o, seconds / max(len(todo), 1)), error=bool(o["error"]))
            if todo:
                try:
                    write_index(out, errors=list(errors.values()), model=model, history=history, last=index_last,
                                months={o["month"] for r in results for o in r if o.get("month")})
                except OSError as exc:  # the folder became unwritable: say so, keep watching
                    say(f"ssereport: error: index.html not written: {exc.strerror or exc}", error=True)
                except HistoryError as exc:  # the history could not be read (locked past the timeout): keep watching
                    say(f"ssereport: error: index.html not written: {exc}", error=True)
    except KeyboardInterrupt:
        pass
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return n
