"""The batch history database (ssereport.qa.history): the same cases on SQLite and on PostgreSQL.

PostgreSQL runs when ``SSEREPORT_TEST_PG`` names a server (``.ci/run`` starts a throw-away cluster and sets
it); without one those cases skip with the reason, except in CI, where a missing server is a failure.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ssereport.errors import HistoryError
from ssereport.qa import history as hist
from ssereport.qa.history import EXPORT_COLUMNS, open_history

from .conftest import ROOT

PG_ENV = "SSEREPORT_TEST_PG"
MODEL_A = "sha256:" + "a" * 64
MODEL_B = "sha256:" + "b" * 64


def fake_batch(i: int, *, day: str | None = "2026-03-02", verdict: str = "pass", n: int = 3, model: str = MODEL_A,
               spec: dict | None = None, content: str | None = None) -> dict:
    """A complete batch JSON dict (``BatchResult.to_dict()`` shape) with known values, judged by ``model``."""
    n_pass = n if verdict == "pass" else 0
    films = []
    for k in range(n):
        ok = verdict == "pass"
        films.append({
            "sample_id": f"S{i:04d}-{k}", "row": k + 2, "observed_class": 1, "predicted_class": 1, "margin": 0.5,
            "pass": ok, "out_of_range": [],
            # reasons as records and a separate notes list (the shape engineer qa introduces); stored as given
            "reasons": [] if ok else [{"variable": "rd", "value": 0.2 + k / 100, "limit": 0.101, "op": ">",
                                       "unit": "", "source": "95th percentile of class-1 reference films"}],
            "notes": [f"note {k} of batch {i}"] if k == 0 else [],
            "conductivity_s_cm": 5e-4 + i * 1e-7 + k * 1e-6, "rd": 0.05 + k / 1000,
            "thickness_um": 80.0, "polymer_wt_pct": 10.0, "ls_ratio": 0.6, "xylene_vol_pct": 50.0})
    return {
        "schema_version": "ssereport-batch/1", "batch_id": f"{day or 'nodate'}_B{i:04d}", "cast_date": day,
        "verdict": verdict,
        "counts": {"films": n, "pass": n_pass, "fail": n - n_pass, "out_of_range": 0,
                   "observed_class": {"1": n, "2": 0, "3": 0}, "predicted_class": {"1": n, "2": 0, "3": 0}},
        "spec": spec or {"sigma_min": None, "rd_max": None, "min_pass_fraction": 0.9},
        "acceptance": {"basis": "class1", "limits": [], "min_pass_fraction": 0.9}, "capability": {},
        "films": films,
        "input": {"path": f"batch_{i}.csv", "sha256": hashlib.sha256((content or f"content {i}").encode()).hexdigest(),
                  "n_rows": n, "excluded": [], "notes": []},
        "model": {"checksum": model, "file": None},
        "provenance": {"created": "2026-12-07T10:00:00+00:00"},
    }


def _pg_base() -> sa.URL | None:
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: in CI, .ci/run starts a PostgreSQL cluster and sets it")
        pytest.skip(f"no PostgreSQL server for the tests: set {PG_ENV}=postgresql+psycopg://postgres@/postgres"
                    "?host=DIR&port=PORT (.ci/run starts one and sets it)")
    return sa.make_url(base)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A new, empty history database: an SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        (tmp_path / "db").mkdir()
        yield str(tmp_path / "db" / "history.sqlite")
        return
    base = _pg_base()
    name = f"ssr_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {base.render_as_string(hide_password=True)} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {base.render_as_string(hide_password=True)} is not reachable: {exc.orig}")
    url = base.set(database=name).render_as_string(hide_password=False)
    yield url
    for key in [k for k in hist._ENGINES if k[1] == url]:
        hist._ENGINES.pop(key).dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


# ------------------------------------------------------------------------------------------------ append
def test_append_and_idempotence(db, tmp_path):
    h = open_history(db, out=tmp_path / "empty-out")  # a folder that does not exist: nothing to import
    assert h.created and h.note is None  # nothing imported: nothing to say
    first = [h.record(fake_batch(i, verdict="fail" if i == 2 else "pass")) for i in range(3)]
    assert [r.new for r in first] == [True, True, True]
    assert len({r.judgement_id for r in first}) == 3
    assert h.count() == 3
    again = h.record(fake_batch(1))  # same content, same model, same spec: recognised
    assert not again.new and again.judgement_id == first[1].judgement_id and h.count() == 3
    assert h.record(fake_batch(1, model=MODEL_B)).new  # another model judged it: a new judgement
    assert h.record(fake_batch(1, spec={"sigma_min": 3e-4, "rd_max": None, "min_pass_fraction": 0.9})).new
    assert h.count() == 5
    # the films come back exactly as the judge gave them: reasons (records) and notes untouched
    films = h.films(first[2].judgement_id)
    assert films == fake_batch(2, verdict="fail")["films"]
    h2 = open_history(db)
    assert not h2.created and h2.note is None  # opened again: nothing created, nothing imported
    # append-only: the row of the first judgement is unchanged by the later ones
    rows = h.judgements()
    assert [r["model_sha256"] for r in rows].count("b" * 64) == 1 and len(rows) == 5


def test_record_refuses_an_incomplete_batch(db):
    h = open_history(db)
    bad = fake_batch(0)
    del bad["input"]
    with pytest.raises(HistoryError, match=r"batch '2026-03-02_B0000' cannot be recorded: not a complete batch "
                                           r"record \(KeyError: 'input'\)"):
        h.record(bad)
    assert h.count() == 0


def test_schema_matches_the_tables_the_code_uses(db):
    """The Alembic revision creates exactly the tables, columns and constraints of history.metadata."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    h = open_history(db)
    with h.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), hist.metadata)
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == hist.HEAD
    assert diff == []


# ------------------------------------------------------------------------------------------------ import
def test_first_creation_imports_the_folder_once(db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for i, day in enumerate(["2026-01-05", "2026-02-10", "2026-02-11"]):
        (out / f"b{i}.json").write_text(json.dumps(fake_batch(i, day=day)), encoding="utf-8")
    (out / "study.results.json").write_text(json.dumps({"schema_version": "ssereport-results/1"}), encoding="utf-8")
    broken = fake_batch(9)
    del broken["films"]
    (out / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    (out / "notes.json").write_text("not json", encoding="utf-8")
    h = open_history(db, out=out)
    assert h.created and h.note.startswith("created the batch history ")
    assert "imported the 3 batch reports already in" in h.note
    assert "not imported (incomplete): broken.json (not a complete batch record (KeyError: 'films'))" in h.note
    assert [r["batch_id"] for r in h.judgements()] == ["2026-01-05_B0000", "2026-02-10_B0001", "2026-02-11_B0002"]
    with h.engine.connect() as conn:
        origins = conn.execute(sa.select(hist.judgement.c.origin).order_by(hist.judgement.c.id)).scalars().all()
    assert origins == ["imported from b0.json", "imported from b1.json", "imported from b2.json"]
    (out / "b3.json").write_text(json.dumps(fake_batch(3, day="2026-03-01")), encoding="utf-8")
    h2 = open_history(db, out=out)  # not the first creation: the folder is not imported again
    assert h2.note is None and h2.count() == 3


# ------------------------------------------------------------------------------------------------ reading
def _fill(h) -> None:
    plan = [(0, "2026-01-30", "pass"), (1, "2026-02-02", "fail"), (2, "2026-02-15", "pass"), (3, "2026-02-28", "pass"),
            (4, "2026-03-01", "fail"), (5, None, "pass")]
    for i, day, verdict in plan:
        h.record(fake_batch(i, day=day, verdict=verdict, n=2 + i))


def test_last_and_months(db):
    h = open_history(db)
    _fill(h)
    # batch 5 has no cast date: it counts on its judgement's date, 2026-12-07
    assert [r["batch_id"] for r in h.last(3)] == ["2026-02-28_B0003", "2026-03-01_B0004", "nodate_B0005"]
    last = h.last(2)
    assert last[0]["counts"]["films"] == 6 and len(last[0]["films"]) == 6
    assert last[0]["films"][4] == fake_batch(4, day="2026-03-01", verdict="fail", n=6)["films"][4]
    months = {m.key: (m.n_batches, m.n_pass, m.n_films, m.n_films_pass) for m in h.months()}
    assert months == {"2026-01": (1, 1, 2, 2), "2026-02": (3, 2, 3 + 4 + 5, 4 + 5), "2026-03": (1, 0, 6, 0),
                      "2026-12": (1, 1, 7, 7)}
    assert [r["batch_id"] for r in h.month(2026, 2)] == ["2026-02-02_B0001", "2026-02-15_B0002", "2026-02-28_B0003"]
    assert h.month(2026, 4) == []


def test_export_filters(db):
    h = open_history(db)
    _fill(h)

    def ids(**kw):
        return [r["batch_id"][-5:] for r in h.judgements(**kw)]

    assert ids() == ["B0000", "B0001", "B0002", "B0003", "B0004", "B0005"]
    assert ids(since=date(2026, 2, 2), until=date(2026, 2, 28)) == ["B0001", "B0002", "B0003"]  # inclusive
    assert ids(since=date(2026, 2, 3)) == ["B0002", "B0003", "B0004", "B0005"]
    assert ids(until=date(2026, 2, 1)) == ["B0000"]
    assert ids(verdict="fail") == ["B0001", "B0004"]
    assert ids(verdict="pass", since=date(2026, 3, 1)) == ["B0005"]
    row = h.judgements(verdict="fail")[0]
    assert list(row) == list(EXPORT_COLUMNS)
    assert row == {"batch_id": "2026-02-02_B0001", "cast_date": "2026-02-02", "judged_at": "2026-12-07T10:00:00+00:00",
                   "verdict": "fail", "n_films": 3, "n_pass": 0,
                   "content_sha256": hashlib.sha256(b"content 1").hexdigest(), "model_sha256": "a" * 64}


def test_history_command(db, tmp_path, ssereport_cli):
    out = tmp_path / "out"
    out.mkdir()
    h = open_history(db, out=out)
    _fill(h)
    p = ssereport_cli("history", str(out), "--db", db, "--verdict", "fail", "--csv", str(tmp_path / "h.csv"))
    assert p.returncode == 0, p.stderr
    with open(tmp_path / "h.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["batch_id"] for r in rows] == ["2026-02-02_B0001", "2026-03-01_B0004"]
    assert list(rows[0]) == list(EXPORT_COLUMNS) and rows[1]["n_films"] == "6" and rows[1]["n_pass"] == "0"
    p = ssereport_cli("history", str(out), "--db", db, "--since", "2026-02-15", "--until", "2026-03-01",
             "--json", str(tmp_path / "h.json"))
    assert p.returncode == 0, p.stderr
    rows = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    assert [r["batch_id"] for r in rows] == ["2026-02-15_B0002", "2026-02-28_B0003", "2026-03-01_B0004"]
    p = ssereport_cli("history", str(out), "--db", db)
    assert p.returncode == 0 and p.stdout.splitlines()[0].split() == list(EXPORT_COLUMNS)
    assert p.stdout.rstrip().endswith("(6 judgements)")
    for args, message in ((["--since", "2026-13-01"], "--since: got '2026-13-01', expected a date YYYY-MM-DD"),
                          (["--verdict", "maybe"], "--verdict: got 'maybe', expected 'pass' or 'fail'"),
                          (["--since", "2026-03-01", "--until", "2026-02-01"], "no date can match"),
                          (["--csv", "a.csv", "--json", "a.json"], "give --csv FILE or --json FILE, not both")):
        p = ssereport_cli("history", str(out), "--db", db, *args)
        assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


def test_history_command_without_a_database(tmp_path, ssereport_cli):
    p = ssereport_cli("history", str(tmp_path))
    assert p.returncode == 2
    assert f"no batch history at {tmp_path / 'history.sqlite'}" in p.stderr
    assert not (tmp_path / "history.sqlite").exists()  # reading never creates one


# ------------------------------------------------------------------------------------------------ concurrency
_WRITER = """
import json, sys
from ssereport.qa.history import open_history
from tests.test_history import fake_batch
db, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
h = open_history(db, timeout=60)
new = [h.record(fake_batch(i, day=f"2026-04-{1 + i % 28:02d}")).new for i in range(first, last)]
print(json.dumps(new))
"""


def _writers(db: str, ranges) -> list[list[bool]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, db, str(a), str(b)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a, b in ranges]
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        assert stderr == ""
        results.append(json.loads(stdout))
    return results


def test_two_processes_25_batches_each(db):
    open_history(db)  # both processes open an existing database (a new one: see the next test)
    results = _writers(db, [(0, 25), (25, 50)])
    assert results == [[True] * 25, [True] * 25]
    rows = open_history(db).judgements()
    assert len(rows) == 50 and len({r["batch_id"] for r in rows}) == 50


def test_two_processes_racing_on_the_same_batches(db):
    """Both create the database and record the same 25 judgements at once: 25 rows, each recorded once."""
    results = _writers(db, [(0, 25), (0, 25)])
    assert [a + b for a, b in zip(*results)] == [1] * 25  # exactly one process recorded each batch
    h = open_history(db)
    assert h.count() == 25
    with h.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(hist.film)).scalar_one() == 25 * 3
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


# ------------------------------------------------------------------------------------------------ failures
def test_unreachable_postgresql_is_one_clear_error(tmp_path):
    with pytest.raises(HistoryError, match=r"the history database postgresql\+psycopg://nobody:\*\*\*@127.0.0.1:1/x "
                                           r"failed while opening it: .*(refused|connect)"):
        open_history("postgresql://nobody:secret@127.0.0.1:1/x", timeout=2)


@pytest.mark.parametrize("url, message", [
    ("mysql://u@h/db", "back end 'mysql' is not supported"),
    ("postgresql+asyncpg://u@h/db", "driver 'asyncpg' is not supported"),
])
def test_unsupported_urls(url, message):
    with pytest.raises(HistoryError, match=message):
        open_history(url)


def test_corrupt_sqlite_file(tmp_path):
    (tmp_path / "history.sqlite").write_bytes(b"this is not an SQLite database " * 200)
    with pytest.raises(HistoryError, match=r"is not a readable SQLite database \(file is not a database\) while "
                                           r"opening it; move the file away"):
        open_history(out=tmp_path)


def test_locked_sqlite_database_times_out(tmp_path):
    h = open_history(out=tmp_path, timeout=0.3)
    lock = sqlite3.connect(tmp_path / "history.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(HistoryError, match=r"is locked by another process \(waited 0.3 s\) while recording "
                                               r"batch 2026-03-02_B0000"):
            h.record(fake_batch(0))
        with pytest.raises(HistoryError, match=r"is locked by another process \(waited 0.3 s\) while opening it"):
            open_history(out=tmp_path, timeout=0.3)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert open_history(out=tmp_path, timeout=0.3).record(fake_batch(0)).new  # free again: recorded


# ------------------------------------------------------------------------------------------------ batch and index
BATCHES = sorted((ROOT / "data" / "batches").glob("*.csv"))


@pytest.fixture
def model_file(reference_model_path) -> Path:
    return reference_model_path


def _reports(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.suffix in (".html", ".pdf", ".json") and p.name[:5] != "index")


def test_batch_records_and_builds_the_index_from_the_database(model_file, tmp_path, ssereport_cli):
    out = tmp_path / "out"
    p = ssereport_cli("batch", *map(str, BATCHES), "--model", str(model_file), "--out", str(out), "--format", "html,json")
    assert p.returncode == 1, p.stderr
    assert (out / "history.sqlite").is_file() and "created the batch history" not in p.stderr  # nothing imported
    h = open_history(out=out)
    assert [(r["batch_id"], r["verdict"], r["n_pass"], r["n_films"]) for r in h.judgements()] == [
        ("2026-03-02_A", "pass", 10, 10), ("2026-03-09_B", "pass", 11, 12), ("2026-03-16_C", "fail", 0, 9)]
    # the row is the judgement of the JSON written beside it
    j = json.loads((out / "2026-03-09_B.json").read_text(encoding="utf-8"))
    row = h.judgements(verdict="pass")[1]
    assert row["content_sha256"] == j["input"]["sha256"] and row["model_sha256"] == j["model"]["checksum"][7:]
    assert h.films(h.last(3)[1]["id"]) == j["films"]
    # run again: recognised, nothing duplicated
    p = ssereport_cli("batch", *map(str, BATCHES), "--model", str(model_file), "--out", str(out), "--format", "json")
    assert p.returncode == 1 and h.count() == 3
    # the index comes from the database, not from the folder: a deleted JSON report is still listed
    (out / "2026-03-02_A.json").unlink()
    p = ssereport_cli("batch", str(BATCHES[2]), "--model", str(model_file), "--out", str(out), "--format", "json",
             "--index-last", "2")
    assert p.returncode == 1, p.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "The last 2 of the 3 judgements in the batch history" in index
    assert "<td>2026-03-09_B</td>" in index and "<td>2026-03-16_C</td>" in index
    assert "<td>2026-03-02_A</td>" not in index  # not among the last 2 ...
    assert '<a href="index-2026-03.html">2026-03</a></td><td class="num">3</td><td class="num">2</td>' \
           '<td class="num">1</td><td class="num">31</td><td class="num">21</td>' in index  # ... but in its month
    month = (out / "index-2026-03.html").read_text(encoding="utf-8")
    assert all(f"<td>{b}</td>" in month for b in ("2026-03-02_A", "2026-03-09_B", "2026-03-16_C"))
    assert "3 judgements of batches cast in 2026-03" in month and "21 of 31 films pass" in month
    assert '<a href="2026-03-02_A.html">HTML</a>' in month  # links only to files that exist: the JSON is gone
    assert '<a href="2026-03-02_A.json">' not in month


def test_locked_or_corrupt_database_writes_no_report_file(model_file, tmp_path, ssereport_cli):
    out = tmp_path / "locked"
    open_history(out=out.mkdir() or out)
    lock = sqlite3.connect(out / "history.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        p = ssereport_cli("batch", str(BATCHES[0]), "--model", str(model_file), "--out", str(out), "--db-timeout", "0.5")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "is locked by another process (waited 0.5 s) while opening it" in p.stderr
    assert _reports(out) == [] and not (out / "index.html").exists()

    bad = tmp_path / "corrupt"
    bad.mkdir()
    (bad / "history.sqlite").write_bytes(b"garbage " * 1000)
    p = ssereport_cli("batch", str(BATCHES[0]), "--model", str(model_file), "--out", str(bad))
    assert p.returncode == 2 and "is not a readable SQLite database (file is not a database)" in p.stderr
    assert _reports(bad) == [] and not (bad / "index.html").exists()


def test_a_batch_not_recorded_gets_no_files_and_the_next_run_retries(model_file, tmp_path):
    """The database is opened, then locked before the batch is recorded: that batch gets an error and no file."""
    from ssereport.qa.model import load_model
    from ssereport.qa.run import process_file

    out = tmp_path / "out"
    out.mkdir()
    h = open_history(out=out, timeout=0.3)
    model = load_model(model_file)
    lock = sqlite3.connect(out / "history.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        [outcome] = process_file(BATCHES[1], model, out, None, ("json", "html"), 50.0, model_file, None, h)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert outcome["error"].endswith("no report file of batch 2026-03-09_B was written (run it again to retry)")
    assert "is locked by another process (waited 0.3 s) while recording batch 2026-03-09_B" in outcome["error"]
    assert _reports(out) == [] and h.count() == 0
    [outcome] = process_file(BATCHES[1], model, out, None, ("json", "html"), 50.0, model_file, None, h)
    assert outcome["error"] is None and outcome["recorded"] == "new" and outcome["month"] == "2026-03"
    assert _reports(out) == ["2026-03-09_B.html", "2026-03-09_B.json"] and h.count() == 1


def test_batch_into_postgresql(model_file, db, tmp_path):
    """--db URL (both back ends): the same judgements, the same index; --jobs 2 workers each open their own.

    Through ``python -m ssereport``: ``--jobs 2`` forks, which this process (its OpenMP threads have run) must not.
    """
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "ssereport", "batch", *map(str, BATCHES), "--model", str(model_file),
                        "--out", str(out), "--format", "json", "--db", db, "--jobs", "2"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert p.returncode == 1, p.stderr
    assert [r["verdict"] for r in open_history(db).judgements()] == ["pass", "pass", "fail"]
    assert not (out / "history.sqlite").exists() or db.endswith(str(out / "history.sqlite"))
    assert "<td>2026-03-16_C</td>" in (out / "index.html").read_text(encoding="utf-8")


def test_watch_records_each_batch(model_file, tmp_path):
    import shutil
    import threading
    import time

    from ssereport.qa.model import load_model
    from ssereport.qa.watch import watch

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    stop, ready, lines = threading.Event(), threading.Event(), []
    t = threading.Thread(target=watch, args=(inbox, load_model(model_file), out),
                         kwargs={"formats": ("json",), "stop": stop, "echo": lines.append, "ready": ready.set})
    t.start()
    try:
        assert ready.wait(300)
        shutil.copy(BATCHES[1], inbox / BATCHES[1].name)
        end = time.monotonic() + 300
        while time.monotonic() < end and not (lines and (out / "index-2026-03.html").exists()):
            time.sleep(0.1)
    finally:
        stop.set()
        t.join(120)
    assert lines and lines[0].startswith("PASS   2026-03-09_B: 11/12 films pass"), lines
    rows = open_history(out=out).judgements()
    assert [(r["batch_id"], r["verdict"], r["n_pass"]) for r in rows] == [("2026-03-09_B", "pass", 11)]
    assert "<td>2026-03-09_B</td>" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_batch_processes_share_one_history(model_file, tmp_path):
    """Two whole `ssereport batch` processes, 5 batches each, one report folder and history: 10 rows, 10 reports."""
    text = BATCHES[0].read_text(encoding="utf-8")
    groups = []
    for g in range(2):
        files = []
        for i in range(5):
            new_id = f"2026-05-{1 + 5 * g + i:02d}_P{g}"
            files.append(tmp_path / f"{new_id}.csv")
            files[-1].write_text(text.replace("2026-03-02_A", new_id), encoding="utf-8")
        groups.append(files)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-m", "ssereport", "batch", *map(str, files), "--model", str(model_file),
                               "--out", str(out), "--format", "json", "-q"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for files in groups]
    for p in procs:
        _, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr
    rows = open_history(out=out).judgements()
    assert sorted(r["batch_id"] for r in rows) == sorted(f.stem for files in groups for f in files)
    assert len(list(out.glob("2026-05-*.json"))) == 10
