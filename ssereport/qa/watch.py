"""``ssereport watch``: judge every batch file that lands in a folder, in one long-lived process.

The process imports everything a batch report needs (pandas, scikit-learn,
matplotlib, the Typst compiler), compiles the templates and, with ``jobs > 1``,
forks its workers once, before it says it is ready; then each file costs only
its own work. Changes come from :func:`watchfiles.watch` (inotify on Linux,
FSEvents on macOS, polling elsewhere).

A file is read only once it is complete: its size and modification time must
be the same at ``checks`` polls ``interval`` seconds apart (by default 2 polls
0.2 s apart; ``ssereport watch --settle``). A writer that pauses longer than
that should write to a temporary name and rename it, which is always safe; and
a file that cannot be judged is reported as an error only once it has stayed
unchanged for :data:`ERROR_QUIET` seconds, so a file still being written never
gets an error entry that its complete version would overwrite.

On start, every table already in the folder without an up-to-date report
(a batch JSON in the output folder recording the same content SHA-256) is
judged, oldest modification time first: a restart judges what landed while
the watch was stopped and nothing twice (at least once, idempotent).
Temporary names (``~$x.xlsx``, ``.x.csv.swp``, ``x.csv.part``, ``x.tmp``, dot
files) are never read. A file judged already is judged again only when it
changes (size or modification time). Each batch writes its JSON, HTML and PDF
as ``ssereport batch`` does, then ``index.html`` over every batch report in
the output folder; a bad file gets its error message and an error entry in the
index, and the watch goes on.

Ctrl-C (SIGINT) or SIGTERM stops it after the batch in progress: all its files
and the index are written, and the summary counts them. A second Ctrl-C aborts
at once; every file is written atomically, so no half-written report is left.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .model import ReferenceModel
from .spec import Spec, check_spec

__all__ = ["ERROR_QUIET", "SUFFIXES", "is_batch_file", "pending_files", "watch"]

#: Seconds a file that could not be judged must stay unchanged before its error is reported.
ERROR_QUIET = 2.0
#: Test hook: when set to a path, judging a file waits until that path exists (after creating
#: ``<path>.entered``), so a test can signal the watch while a batch is being judged.
GATE_ENV = "SSEREPORT_TEST_JUDGE_GATE"

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


def _reported_hashes(out: Path) -> set[str]:
    """The input SHA-256 of every batch report (current schema) in ``out``."""
    from .judge import BATCH_SCHEMA

    hashes = set()
    for p in Path(out).glob("*.json"):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(d, dict) and d.get("schema_version") == BATCH_SCHEMA:
            sha = (d.get("input") or {}).get("sha256")
            if isinstance(sha, str):
                hashes.add(sha)
    return hashes


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def pending_files(inbox: str | Path, out: str | Path) -> list[Path]:
    """The batch tables in ``inbox`` without an up-to-date report in ``out``, oldest first.

    A table is up to date when a batch JSON in ``out`` records its content's
    SHA-256 (``input.sha256``): the same bytes were judged already. The rest
    are returned by modification time, then name (the order they landed in).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "in").mkdir(), (d / "in" / "b.csv").write_text("x"), (d / "in" / "~$a.xlsx").write_text("x")
    >>> [p.name for p in pending_files(d / "in", d / "out")]
    ['b.csv']
    """
    inbox, out = Path(inbox), Path(out)
    out_abs = out.resolve()
    done = _reported_hashes(out) if out.is_dir() else set()
    found = []
    for p in inbox.rglob("*"):
        if not is_batch_file(p) or not p.is_file() or out_abs in p.resolve().parents:
            continue
        st = _stat(p)
        if st is None or _sha256(p) in done:
            continue
        found.append((st[1], str(p), p))
    return [p for _, _, p in sorted(found)]


def _gate() -> None:
    """The test hook of :data:`GATE_ENV`: wait (a second signal still aborts) until the gate file exists."""
    gate = os.environ.get(GATE_ENV)
    if not gate:
        return
    Path(gate + ".entered").touch()
    while not Path(gate).exists():
        time.sleep(0.02)


def _judge_file(path: Path, model: ReferenceModel, *rest: Any) -> list[dict[str, Any]]:
    from .run import process_file

    _gate()
    return process_file(path, model, *rest)


def _settled_error(path: Path, seen: tuple[int, int], quiet: float, stop: threading.Event) -> bool:
    """Whether ``path`` is still as it was judged (``seen``) once unchanged for ``quiet`` seconds.

    False when it changed or vanished meanwhile: it is still being written, and
    the watch will judge it again when it has; its error is not reported.
    """
    while True:
        st = _stat(path)
        if st != seen:
            return False
        age = time.time() - st[1] / 1e9
        if age >= quiet:
            return True
        if stop.wait(min(quiet - age, 0.2)) and stop.is_set():
            # stopping: report the error as it stands rather than wait
            return _stat(path) == seen


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
          checks: int = 2, error_quiet: float = ERROR_QUIET, stop: threading.Event | None = None,
          echo: Callable[[str], None] | None = None, ready: Callable[[], None] | None = None) -> int:
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
    error_quiet : float, default :data:`ERROR_QUIET`
        A file that could not be judged is reported only once unchanged for this many seconds; if it
        changes meanwhile (still being written) it is judged again instead.
    stop : threading.Event, optional
        Set it (from another thread) to stop watching after the batch in progress; Ctrl-C and SIGTERM
        (in the main thread) do the same, a second Ctrl-C aborts at once.
    echo : callable, optional
        Receives one line per batch (default: printed on stdout, errors on stderr).
    ready : callable, optional
        Called once everything is imported and the watch has started.

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

    from .run import worker_init, write_index

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

    _preload(formats)
    pool = None
    if jobs > 1:
        import multiprocessing

        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=worker_init, initargs=(model, True))  # the model sent once
        pool.submit(_noop).result()  # with fork every worker starts now, before the watcher's thread exists
    on_main = threading.current_thread() is threading.main_thread()

    def on_signal(signum, _frame) -> None:
        # the first SIGINT or SIGTERM: finish the batch in progress (its files and the index), then stop;
        # a second SIGINT: abort at once (every write is atomic, so no half-written file is left)
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)} if on_main else {}
    judged: dict[Path, tuple[int, int]] = {}
    errors: dict[str, dict[str, Any]] = {}
    n = 0
    out_abs = out.resolve()
    rest = (out, spec, formats, max_file_mb, model_path, columns)

    def wanted(change, path: str) -> bool:
        p = Path(path)
        return (change != watchfiles.Change.deleted and is_batch_file(p)
                and out_abs not in p.resolve().parents)

    def judge(paths: list[Path]) -> None:
        """Judge the files that are complete and not judged as they are; write the index; say each batch."""
        nonlocal pool, n
        # a file that has landed is the batch in progress: a stop request does not cut its settling short
        # (a second Ctrl-C does)
        stable = wait_complete(paths, interval=interval, checks=checks)
        todo = [p for p in paths if stable.get(p) is not None and judged.get(p) != stable[p]]
        if not todo:
            return
        t0 = time.perf_counter()
        results = None
        if pool is not None and len(todo) > 1:
            try:
                results = list(pool.map(_judge_in_worker, todo, *([a] * len(todo) for a in rest)))
            except BrokenProcessPool:  # a worker died (out of memory?): go on in this process
                say("ssereport: a worker process stopped; judging in the main process from now on", error=True)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
        if results is None:
            results = [_judge_file(p, model, *rest) for p in todo]
        seconds = time.perf_counter() - t0
        changed = False
        for p, outcomes in zip(todo, results):
            if any(o["error"] for o in outcomes) and not _settled_error(p, stable[p], error_quiet, stop):
                continue  # still being written: judged again once it has changed, no error entry now
            judged[p] = stable[p]
            changed = True
            errors.pop(p.name, None)
            for o in outcomes:
                if o["error"]:
                    errors[p.name] = o
                else:
                    n += 1
                say(_line(o, seconds / max(len(todo), 1)), error=bool(o["error"]))
        if changed:
            try:
                write_index(out, errors=list(errors.values()), model=model)
            except OSError as exc:  # the folder became unwritable: say so, keep watching
                say(f"ssereport: error: index.html not written: {exc.strerror or exc}", error=True)

    try:
        # yield_on_timeout: the first (empty) yield comes once the OS watch is in place, and only then is the
        # watch ready: a file landing before that would be missed
        for changes in watchfiles.watch(inbox, watch_filter=wanted, stop_event=stop, debounce=800, step=50,
                                        raise_interrupt=False, rust_timeout=250, yield_on_timeout=True):
            if ready is not None:
                ready()
                ready = None
                # what landed while the watch was stopped, oldest first, one at a time (in landing order)
                for p in pending_files(inbox, out):
                    if stop.is_set():
                        break
                    judge([p])
            if stop.is_set():
                break
            if changes:
                judge(sorted({Path(p) for _, p in changes}))
            if stop.is_set():
                break
    except KeyboardInterrupt:
        say("ssereport: aborted (second Ctrl-C): the batch in progress was not finished; no half-written file "
            "is left, and it is judged again on the next start", error=True)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return n


def _judge_in_worker(path: Path, *args: Any) -> list[dict[str, Any]]:
    """:func:`ssereport.qa.run.process_in_worker` behind the test gate (:data:`GATE_ENV`)."""
    from .run import process_in_worker

    _gate()
    return process_in_worker(path, *args)
