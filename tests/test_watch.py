"""``ssereport watch``: a new file, a bad file, a half-written file and a clean stop (issue 14).

Each test runs the real command in a subprocess and reads its output with a
timeout, so a hung watcher fails the test instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ssereport.qa.watch import GATE_ENV, is_batch_file, pending_files, wait_complete

from .conftest import ROOT

BATCH_A = ROOT / "data" / "batches" / "batch_2026-03-02_A.csv"
BATCH_B = ROOT / "data" / "batches" / "batch_2026-03-09_B.csv"
BATCH_C = ROOT / "data" / "batches" / "batch_2026-03-16_C.csv"
#: Seconds to wait for the watcher to start (imports) and for one batch (figures, PDF) on a loaded machine.
START_S, BATCH_S = 90.0, 60.0


class Watcher:
    """``ssereport watch`` in a subprocess; its stdout and stderr lines are collected by threads."""

    def __init__(self, inbox: Path, model: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "ssereport", "watch", str(inbox), "--model", str(model),
                                      "--out", str(out), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=env)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, text: str, timeout: float) -> str:
        """The first new line containing ``text``; fails after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                item = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(item)
            if text in item[1]:
                return item[1]
        pytest.fail(f"no line with {text!r} within {timeout} s; got {self.seen}")

    def drain(self, seconds: float) -> list[tuple[str, str]]:
        end = time.monotonic() + seconds
        got = []
        while time.monotonic() < end:
            try:
                got.append(self.lines.get(timeout=0.1))
            except queue.Empty:
                pass
        self.seen += got
        return got

    def close(self) -> None:
        """Kill the process if it still runs; close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        time.sleep(0.2)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
            time.sleep(0.2)  # let the reader threads reach the end of both pipes
            self.proc.stdout.close()
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def model_file(reference_model_path) -> Path:
    return reference_model_path


@pytest.fixture(scope="module")
def watcher(model_file, tmp_path_factory):
    root = tmp_path_factory.mktemp("watch")
    # --settle 0.5: a file must stay unchanged 0.5 s; the half-written test pauses 0.2 s between its parts
    w = Watcher(root / "inbox", model_file, root / "out", "--settle", "0.5")
    w.wait_for("watching", START_S)
    w.inbox, w.out = root / "inbox", root / "out"
    yield w
    if w.proc.poll() is None:
        w.stop()


def _wait_text(path: Path, text: str, timeout: float = BATCH_S) -> str:
    """The content of ``path`` once it contains ``text`` (the index is rewritten after the batch line)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        content = path.read_text(encoding="utf-8") if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    pytest.fail(f"{path.name} has no {text!r} after {timeout} s")


def _copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".part")  # a temporary name watch must ignore, then an atomic rename
    tmp.write_bytes(src.read_bytes())
    tmp.rename(dst)


def test_new_file_gets_its_reports_and_the_index(watcher):
    _copy(BATCH_A, watcher.inbox / BATCH_A.name)
    line = watcher.wait_for("2026-03-02_A", BATCH_S)
    assert line.startswith("PASS") and "10/10 films pass" in line, line
    report = json.loads((watcher.out / "2026-03-02_A.json").read_text(encoding="utf-8"))
    assert report["batch_id"] == "2026-03-02_A" and report["counts"]["films"] == 10
    assert (watcher.out / "2026-03-02_A.pdf").read_bytes().startswith(b"%PDF-")
    assert "2026-03-02_A" in (watcher.out / "2026-03-02_A.html").read_text(encoding="utf-8")
    _wait_text(watcher.out / "index.html", 'href="2026-03-02_A.pdf"')


def test_bad_file_gets_an_error_entry_and_watch_goes_on(watcher):
    (watcher.inbox / "broken.csv").write_text("sample_id,polymer_wt_pct\nF1,abc\n", encoding="utf-8")
    line = watcher.wait_for("broken.csv", BATCH_S)
    assert line.startswith("ERROR  broken.csv:") and "broken.csv" in line
    assert watcher.proc.poll() is None  # still watching
    _wait_text(watcher.out / "index.html", "broken.csv")
    # the next good file is judged, and the index lists both batches and the error
    _copy(BATCH_B, watcher.inbox / BATCH_B.name)
    line = watcher.wait_for("2026-03-09_B", BATCH_S)
    assert "11/12 films pass" in line, line
    index = _wait_text(watcher.out / "index.html", 'href="2026-03-09_B.pdf"')
    assert 'href="2026-03-09_B.pdf"' in index and "broken.csv" in index
    # batch A, when the first test ran on this watcher (with pytest-xdist it may have run in another worker)
    assert ('href="2026-03-02_A.pdf"' in index) is (watcher.out / "2026-03-02_A.json").exists()


def test_half_written_file_is_judged_once_and_complete(watcher):
    text = BATCH_C.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    n_films = len(lines) - 1
    half = len(lines) // 2
    target = watcher.inbox / "late.csv"
    with open(target, "w", encoding="utf-8") as fh:  # one writer, two parts, a pause shorter than --settle
        fh.write("".join(lines[:half]))
        fh.flush()
        os.fsync(fh.fileno())
        time.sleep(0.2)
        fh.write("".join(lines[half:]))
    line = watcher.wait_for("2026-03-16_C", BATCH_S)
    assert f"/{n_films} films pass" in line, line  # every film, not the first half
    more = watcher.drain(3.0)  # the second write must not judge the file again
    assert not [m for m in more if "2026-03-16_C" in m[1]], more
    report = json.loads((watcher.out / "2026-03-16_C.json").read_text(encoding="utf-8"))
    assert report["counts"]["films"] == n_films and len(report["films"]) == n_films


def test_a_file_cut_mid_row_gets_no_error_entry(watcher):
    """A writer pausing longer than --settle inside a row: the partial file cannot be read, but no error is
    reported (the file changes again before it has been quiet for ERROR_QUIET s); the complete file is judged."""
    text = BATCH_A.read_text(encoding="utf-8").replace("2026-03-02_A", "2026-03-23_D")
    cut = text.index("\n", len(text) // 2) + 8  # inside a row: the partial table has a short row
    target = watcher.inbox / "slow.csv"
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(text[:cut])
        fh.flush()
        os.fsync(fh.fileno())
        time.sleep(1.0)  # > --settle 0.5 (the part is judged), < ERROR_QUIET 2 s (its error is held back)
        fh.write(text[cut:])
    line = watcher.wait_for("2026-03-23_D", BATCH_S)
    assert line.startswith("PASS") and "10/10 films pass" in line, line
    assert not [x for x in watcher.seen if "slow.csv" in x[1]], watcher.seen
    more = watcher.drain(1.0)
    assert not [x for x in more if "slow.csv" in x[1] or "2026-03-23_D" in x[1]], more
    assert "slow.csv" not in (watcher.out / "index.html").read_text(encoding="utf-8")


def test_temporary_names_are_not_read(watcher):
    for name in ("~$tmp.xlsx", ".hidden.csv.swp", "copy.csv.part", "x.tmp"):
        (watcher.inbox / name).write_bytes(BATCH_A.read_bytes())
    got = watcher.drain(2.0)
    assert not got, got


def test_sigint_stops_cleanly(watcher):
    rc = watcher.stop(signal.SIGINT, timeout=10.0)
    rest = watcher.drain(0.5)
    assert rc in (0, 130), rc
    text = "\n".join(line for _, line in watcher.seen + rest)
    assert "Traceback" not in text
    assert any("stopped watching" in line for _, line in rest + watcher.seen)


def test_is_batch_file():
    assert is_batch_file("a/b/batch.CSV") and is_batch_file("b.xlsx")
    assert not any(is_batch_file(n) for n in ("~$b.xlsx", ".b.csv.swp", "b.csv.part", "b.tmp", "b.txt", ".b.csv",
                                              "b.csv~", "b.xlsx.crdownload"))


def test_wait_complete_waits_for_a_growing_file(tmp_path):
    p = tmp_path / "growing.csv"
    p.write_text("a\n", encoding="utf-8")

    def grow():
        for i in range(4):
            time.sleep(0.1)
            with open(p, "a", encoding="utf-8") as fh:
                fh.write(f"{i}\n")

    t = threading.Thread(target=grow)
    t.start()
    done = wait_complete([p, tmp_path / "gone.csv"], interval=0.25, checks=2)
    t.join()
    assert done[tmp_path / "gone.csv"] is None
    assert done[p] == (p.stat().st_size, p.stat().st_mtime_ns) and p.read_text(encoding="utf-8").count("\n") == 5


def test_a_file_is_not_a_folder_to_watch(model_file):
    proc = subprocess.run([sys.executable, "-m", "ssereport", "watch", str(BATCH_A), "--model", str(model_file)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "is a file; expected the folder to watch" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- never lose a batch (issue 19)

def _wait_path(path: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            pytest.fail(f"{path} did not appear within {timeout} s")
        time.sleep(0.02)


def _leftovers(folder: Path) -> list[str]:
    """Temporary files of an interrupted atomic write (``.<name>.<random>.part``)."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")] if folder.exists() else []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_batch_finishes_it(model_file, tmp_path, sig):
    """The signal arrives while the batch is being judged (held there by the test gate): every output of the
    batch and the index are written, and the summary line counts the batch."""
    inbox, out, gate = tmp_path / "inbox", tmp_path / "out", tmp_path / "gate"
    w = Watcher(inbox, model_file, out, env={GATE_ENV: str(gate)})
    try:
        w.wait_for("watching", START_S)
        _copy(BATCH_B, inbox / BATCH_B.name)
        _wait_path(Path(str(gate) + ".entered"), BATCH_S)  # judging has begun, and waits for the gate
        w.proc.send_signal(sig)
        time.sleep(0.3)  # the handler has run: the watch is stopping
        gate.touch()
        rc = w.proc.wait(timeout=BATCH_S)
        rest = w.drain(0.5)
    finally:
        w.close()
    assert rc == 0
    lines = [line for _, line in w.seen + rest]
    assert any(line.startswith("PASS   2026-03-09_B: 11/12 films pass") for line in lines), lines
    assert any("stopped watching" in line and "(1 batch report written)" in line for line in lines), lines
    for suffix in (".json", ".html", ".pdf"):
        assert (out / f"2026-03-09_B{suffix}").stat().st_size > 0
    assert 'href="2026-03-09_B.pdf"' in (out / "index.html").read_text(encoding="utf-8")
    assert not _leftovers(out) and "Traceback" not in "\n".join(lines)


def test_second_sigint_aborts_and_a_restart_judges_what_is_left(model_file, tmp_path):
    """A file judged before is not judged again on start; one dropped while the watch was stopped is, and so
    is one whose batch was aborted by a second Ctrl-C (which leaves no half-written file)."""
    from ssereport.qa.model import load_model
    from ssereport.qa.run import run_batches

    inbox, out, gate = tmp_path / "inbox", tmp_path / "out", tmp_path / "gate"
    inbox.mkdir()
    _copy(BATCH_A, inbox / BATCH_A.name)
    run_batches([inbox / BATCH_A.name], load_model(model_file), out, formats=("json",))  # judged before
    before = (out / "2026-03-02_A.json").stat().st_mtime_ns
    _copy(BATCH_B, inbox / BATCH_B.name)  # dropped while no watch ran
    os.utime(inbox / BATCH_A.name, (1_000_000_000, 1_000_000_000))  # the oldest file of the inbox
    assert pending_files(inbox, out) == [inbox / BATCH_B.name]

    w = Watcher(inbox, model_file, out, env={GATE_ENV: str(gate)})
    try:
        w.wait_for("watching", START_S)
        _wait_path(Path(str(gate) + ".entered"), BATCH_S)  # B is being judged on start
        w.proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        w.proc.send_signal(signal.SIGINT)  # the second Ctrl-C: abort now, the gate never opens
        rc = w.proc.wait(timeout=30)
        rest = w.drain(0.5)
    finally:
        w.close()
    lines = [line for _, line in w.seen + rest]
    assert rc == 0 and any("aborted" in line for line in lines), lines
    assert not list(out.glob("2026-03-09_B*")) and not _leftovers(out)

    w = Watcher(inbox, model_file, out)  # a restart, no gate
    try:
        line = w.wait_for("2026-03-09_B", START_S + BATCH_S)
        assert line.startswith("PASS") and "11/12 films pass" in line, line
        _wait_text(out / "index.html", 'href="2026-03-09_B.pdf"')
        more = w.drain(1.5)
        assert w.stop(signal.SIGINT, timeout=BATCH_S) == 0
    finally:
        w.close()
    lines = [line for _, line in w.seen + more]
    assert not [x for x in lines if "2026-03-02_A" in x], lines  # up to date: same content SHA-256
    assert (out / "2026-03-02_A.json").stat().st_mtime_ns == before
    assert pending_files(inbox, out) == []
