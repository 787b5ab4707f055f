"""The batch history database: every judgement appended once, in SQLite (default) or PostgreSQL.

One code path for both through SQLAlchemy Core. The default database is
``OUT/history.sqlite`` (WAL mode, so the index can be read while a batch is
written; a busy timeout, so two writers wait for each other instead of
failing). ``--db postgresql://user@host/db`` (or ``postgresql+psycopg://``)
points several lines or machines at one shared history.

Each judgement is one transaction: a ``judgement`` row (batch id, cast date,
judged-at time, input file name and content SHA-256, model checksum, spec,
verdict and counts) and one ``film`` row per film (sample id, pass, σ and RD,
the reasons and notes exactly as the judge returned them, the rest of the
film's record). Rows are appended, never updated. Judging the same content
with the same model and spec again is recognised by a unique constraint and
returns the first judgement (:attr:`Recorded.new` is False); when two
processes insert the same judgement at once, the loser reads the winner's row.

The schema is versioned with Alembic; the revision scripts ship in
:mod:`ssereport.qa.migrations` and run when a database is opened, inside the
transaction that holds its write lock (SQLite ``BEGIN IMMEDIATE``, a
PostgreSQL advisory lock), so a new database is created and migrated once
however many processes open it together. Alembic rather than a home-made
version table: the revisions are plain, reviewable scripts, a later schema
change is ``alembic revision`` plus one function, and the same migration
runs on both back ends (``render_as_batch`` rebuilds SQLite tables where
``ALTER`` cannot). The first time a database is created, every batch JSON
report already in the output folder is imported into it, once, with a note.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from ..errors import HistoryError

__all__ = ["EXPORT_COLUMNS", "HEAD", "SQLITE_NAME", "History", "MonthSummary", "Recorded", "export_history", "film",
           "history_url", "judgement", "metadata", "open_history"]

#: File name of the default SQLite database in the output folder.
SQLITE_NAME = "history.sqlite"
#: The Alembic revision this code writes and reads (``migrations/versions``).
HEAD = "0001"
#: Revisions this code can read, oldest first.
REVISIONS = ("0001",)
_LOCK_KEY = 24_2026_0024  # PostgreSQL advisory lock held while a database is created or migrated

metadata = sa.MetaData()

#: One row per judgement of a batch (appended, never updated).
judgement = sa.Table(
    "judgement", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(200), nullable=False),
    sa.Column("cast_date", sa.Date, nullable=True),
    sa.Column("day", sa.Date, nullable=False),  # the cast date, else the judgement's (UTC) date: orders the index
    sa.Column("judged_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("model_sha256", sa.String(80), nullable=False),
    sa.Column("spec_sha256", sa.String(64), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("verdict", sa.String(4), nullable=False),
    sa.Column("n_films", sa.Integer, nullable=False),
    sa.Column("n_pass", sa.Integer, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("report_stem", sa.String(200), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),  # the batch JSON without its films
    sa.Column("origin", sa.String(500), nullable=False),  # "judged", or "imported from X.json"
    sa.CheckConstraint("verdict IN ('pass', 'fail')", name="ck_judgement_verdict"),
    sa.UniqueConstraint("content_sha256", "model_sha256", "spec_sha256", "batch_id",
                        name="uq_judgement_content_model_spec_batch"),
    sa.Index("ix_judgement_day", "day", "batch_id", "id"),
)

#: One row per film of a judgement.
film = sa.Table(
    "film", metadata,
    sa.Column("judgement_id", sa.Integer, sa.ForeignKey("judgement.id", name="fk_film_judgement"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("sample_id", sa.String(200), nullable=False),
    sa.Column("pass", sa.Boolean, nullable=False),
    sa.Column("conductivity_s_cm", sa.Float, nullable=True),
    sa.Column("rd", sa.Float, nullable=True),
    sa.Column("reasons", sa.JSON, nullable=False),  # exactly as the judge returned them
    sa.Column("notes", sa.JSON, nullable=True),     # idem (null when the judge gave none)
    sa.Column("record", sa.JSON, nullable=False),   # every other key of the film's record
)

_FILM_COLUMNS = ("sample_id", "pass", "reasons", "notes")

# The columns of ``ssereport history`` and :meth:`History.judgements`.
EXPORT_COLUMNS = ("batch_id", "cast_date", "judged_at", "verdict", "n_films", "n_pass", "content_sha256",
                  "model_sha256")


@dataclass(frozen=True)
class Recorded:
    """What :meth:`History.record` did: ``new`` is False when the same judgement was already there."""

    judgement_id: int
    new: bool
    judged_at: datetime
    day: date

    @property
    def month(self) -> str:
        """``YYYY-MM`` of the judgement's day (cast date, else judgement date): its month page."""
        return self.day.isoformat()[:7]


@dataclass(frozen=True)
class MonthSummary:
    """The judgements of one month (by cast date, else judgement date)."""

    year: int
    month: int
    n_batches: int
    n_pass: int
    n_films: int
    n_films_pass: int

    @property
    def key(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def page(self) -> str:
        """The month's page beside ``index.html``: ``index-YYYY-MM.html``."""
        return f"index-{self.key}.html"


def history_url(db: str | os.PathLike | None, out: str | os.PathLike | None = None) -> URL:
    """The database URL: ``db`` (a URL or an SQLite file path), else ``OUT/history.sqlite``.

    ``postgresql://`` is read as ``postgresql+psycopg://`` (psycopg 3, the
    ``postgresql`` extra); ``sqlite:///path`` and a plain path are SQLite.

    Raises
    ------
    HistoryError
        Neither given, a URL SQLAlchemy cannot parse, or a back end other than SQLite and PostgreSQL.
    """
    if db is None:
        if out is None:
            raise HistoryError("no history database: give --db URL or an output folder")
        return URL.create("sqlite", database=str(Path(out) / SQLITE_NAME))
    text = str(db)
    if "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        url = make_url(text)
    except sa.exc.ArgumentError as exc:
        raise HistoryError(f"--db {text!r}: not a database URL ({exc}); expected postgresql://user@host/db, "
                           "sqlite:///path/history.sqlite or a file path") from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise HistoryError(f"--db {url.render_as_string(hide_password=True)!r}: driver {driver!r} is not "
                               "supported; use postgresql:// or postgresql+psycopg:// (psycopg 3)")
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise HistoryError(f"--db {url.render_as_string(hide_password=True)!r}: back end {backend!r} is not "
                       "supported; expected postgresql://… or an SQLite file")


#: Engines of this process, by URL and timeout (an engine must not cross a fork: keyed by process id too).
_ENGINES: dict[tuple[int, str, float], Engine] = {}


def _engine(url: URL, timeout: float) -> Engine:
    key = (os.getpid(), url.render_as_string(hide_password=False), timeout)
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": timeout})
        ms = int(timeout * 1000)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            # SQLAlchemy's recipe for SQLite transactions: the driver emits no BEGIN of its own, the "begin"
            # event below emits BEGIN IMMEDIATE, so a writer takes the write lock at once (waiting up to the
            # busy timeout) instead of failing when it upgrades a read lock
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {ms}")
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
                cur.execute("PRAGMA foreign_keys = ON")
            finally:
                cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        ms = int(timeout * 1000)
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args={
            "connect_timeout": max(2, int(round(timeout))),
            "options": f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout={max(ms, 60000)}"})
    _ENGINES[key] = engine
    return engine


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _explain(exc: Exception, url: URL, timeout: float, doing: str) -> HistoryError:
    """One readable :class:`HistoryError` for a database error."""
    orig = getattr(exc, "orig", None) or exc
    msg = " ".join(str(orig).split()) or type(orig).__name__
    where = _where(url)
    low = msg.lower()
    if "database is locked" in low or "lock timeout" in low or "locknotavailable" in low:
        text = (f"the history database {where} is locked by another process (waited {timeout:g} s) while "
                f"{doing}; try again when it is free, or wait longer with --db-timeout")
    elif "file is not a database" in low or "malformed" in low or "not a database" in low:
        text = (f"the history database {where} is not a readable SQLite database ({msg}) while {doing}; "
                "move the file away to start a new history, or restore it from a backup")
    elif "unable to open database file" in low:
        text = (f"cannot open the history database {where} ({msg}) while {doing}; "
                "check that the folder exists and is writable")
    else:
        text = f"the history database {where} failed while {doing}: {msg}"
    return HistoryError(text)


def _canonical_sha256(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _rows(batch: dict[str, Any], origin: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``judgement`` row and ``film`` rows of a batch JSON dict (``BatchResult.to_dict()``)."""
    from ..files import safe_stem
    from ..jsonutil import to_jsonable

    d = to_jsonable(batch)
    try:
        batch_id = str(d["batch_id"])
        inp, model, counts = d["input"], d["model"], d["counts"]
        created = (d.get("provenance") or {}).get("created")
        judged_at = _utc(datetime.fromisoformat(created)) if created else datetime.now(timezone.utc)
        cast = date.fromisoformat(d["cast_date"]) if d.get("cast_date") else None
        spec = d.get("spec") or {}
        checksum = str(model["checksum"])
        row = {
            "batch_id": batch_id, "cast_date": cast, "day": cast or judged_at.date(), "judged_at": judged_at,
            "source": str(inp.get("path") or ""), "content_sha256": str(inp["sha256"]),
            "model_sha256": checksum.removeprefix("sha256:"), "spec_sha256": _canonical_sha256(spec),
            "spec": spec, "verdict": str(d["verdict"]), "n_films": int(counts["films"]),
            "n_pass": int(counts["pass"]), "counts": counts, "report_stem": safe_stem(batch_id, default="batch"),
            "summary": {k: v for k, v in d.items() if k != "films"}, "origin": origin,
        }
        films = []
        for i, f in enumerate(d["films"]):
            films.append({"position": i, "sample_id": str(f["sample_id"]), "pass": bool(f["pass"]),
                          "conductivity_s_cm": f.get("conductivity_s_cm"), "rd": f.get("rd"),
                          "reasons": f.get("reasons") or [], "notes": f.get("notes"),
                          "record": {k: v for k, v in f.items() if k not in _FILM_COLUMNS}})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a complete batch record ({type(exc).__name__}: {exc})") from None
    if row["verdict"] not in ("pass", "fail"):
        raise ValueError(f"verdict {row['verdict']!r}, expected 'pass' or 'fail'")
    return row, films


def _key(row: dict[str, Any]):
    j = judgement.c
    return sa.and_(j.content_sha256 == row["content_sha256"], j.model_sha256 == row["model_sha256"],
                   j.spec_sha256 == row["spec_sha256"], j.batch_id == row["batch_id"])


def _insert(conn: Connection, row: dict[str, Any], films: list[dict[str, Any]]) -> Recorded:
    """Insert one judgement and its films, unless the same judgement is there already."""
    found = conn.execute(sa.select(judgement.c.id, judgement.c.judged_at, judgement.c.day).where(_key(row))).first()
    if found is not None:
        return Recorded(int(found.id), False, _utc(found.judged_at), found.day)
    jid = conn.execute(sa.insert(judgement).values(**row)).inserted_primary_key[0]
    if films:
        conn.execute(sa.insert(film), [{**f, "judgement_id": jid} for f in films])
    return Recorded(int(jid), True, row["judged_at"], row["day"])


def _film_dict(r) -> dict[str, Any]:
    """A ``film`` row as the judge returned the film (``sample_id, pass, reasons[, notes]`` and its record)."""
    d = {"sample_id": r.sample_id, "pass": r[3], "reasons": r.reasons, **r.record}
    if r.notes is not None:
        d["notes"] = r.notes
    return d


def _report_dict(r, films: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A judgement row as the index reads a batch JSON (``batch_id, cast_date, verdict, counts, _stem, films``)."""
    d = {"batch_id": r.batch_id, "cast_date": r.cast_date.isoformat() if r.cast_date else None,
         "verdict": r.verdict, "counts": r.counts, "_stem": r.report_stem, "judged_at": _utc(r.judged_at),
         "content_sha256": r.content_sha256, "model_sha256": r.model_sha256, "id": r.id}
    if films is not None:
        d["films"] = films
    return d


class History:
    """An open batch history (see :func:`open_history`); picklable, so batch workers get it as an argument.

    Attributes
    ----------
    url : sqlalchemy.engine.URL
        The database (``postgresql+psycopg://…`` or ``sqlite:///…/history.sqlite``).
    timeout : float
        Seconds to wait for a lock (SQLite busy timeout, PostgreSQL ``lock_timeout`` and connect timeout).
    created : bool
        Whether this open created the database.
    note : str or None
        What this open did besides opening, for the user: the batch reports of
        the folder it imported when it created the database, or a schema upgrade.
    """

    def __init__(self, url: URL | str, timeout: float = 30.0, note: str | None = None):
        self.url = make_url(url) if isinstance(url, str) else url
        self.timeout = float(timeout)
        self.note = note
        self.created = False

    def __reduce__(self):
        return (History, (self.url.render_as_string(hide_password=False), self.timeout))

    def __repr__(self) -> str:
        return f"History({_where(self.url)!r})"

    @property
    def where(self) -> str:
        """The SQLite file, or the URL without its password."""
        return _where(self.url)

    @property
    def engine(self) -> Engine:
        return _engine(self.url, self.timeout)

    @contextmanager
    def _begin(self, doing: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (HistoryError, sa.exc.IntegrityError):  # an IntegrityError is for the caller (a raced insert)
            raise
        except (sa.exc.OperationalError, sa.exc.DatabaseError, sa.exc.InterfaceError) as exc:
            raise _explain(exc, self.url, self.timeout, doing) from None

    def dispose(self) -> None:
        """Close this process's connections (before forking workers: a connection must not cross a fork)."""
        engine = _ENGINES.pop((os.getpid(), self.url.render_as_string(hide_password=False), self.timeout), None)
        if engine is not None:
            engine.dispose()

    # ----------------------------------------------------------------------------------------- writing
    def record(self, result, *, origin: str = "judged") -> Recorded:
        """Append the judgement of one batch (a :class:`~ssereport.qa.judge.BatchResult` or its ``to_dict()``).

        One transaction. The same content (input SHA-256) judged by the same
        model with the same spec, for the same batch id, is recorded once:
        later calls return the first row with ``new=False``.

        Raises
        ------
        HistoryError
            The database could not be written (locked past the timeout, unreachable, corrupt).
        """
        d = result if isinstance(result, dict) else result.to_dict()
        try:
            row, films = _rows(d, origin)
        except ValueError as exc:
            raise HistoryError(f"batch {d.get('batch_id')!r} cannot be recorded: {exc}") from None
        doing = f"recording batch {row['batch_id']}"
        for attempt in (1, 2):
            try:
                with self._begin(doing) as conn:
                    return _insert(conn, row, films)
            except sa.exc.IntegrityError:
                # another process inserted the same judgement between our look-up and our insert
                # (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises the two): read the row it wrote
                if attempt == 2:
                    raise HistoryError(f"{doing}: the same judgement was being written by another process and "
                                       "could not be read back; run the batch again") from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ----------------------------------------------------------------------------------------- reading
    def count(self) -> int:
        """The number of judgements recorded."""
        with self._begin("counting judgements") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(judgement)).scalar_one())

    def last(self, n: int = 100) -> list[dict[str, Any]]:
        """The last ``n`` judgements (by cast date, else judgement date, then batch id), oldest first, with films.

        Each is a dict shaped as the batch JSON the index reads: ``batch_id,
        cast_date, verdict, counts, _stem, judged_at, films`` (each film as
        the judge returned it). Two queries, on the
        ``(day, batch_id, id)`` index: the cost depends on ``n``, not on the
        length of the history.
        """
        j, f = judgement.c, film.c
        with self._begin("reading the last judgements") as conn:
            ids = (sa.select(j.id).order_by(j.day.desc(), j.batch_id.desc(), j.id.desc()).limit(int(n))
                   .scalar_subquery())
            rows = conn.execute(sa.select(judgement).where(j.id.in_(ids))
                                .order_by(j.day, j.batch_id, j.id)).all()
            films: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
            if rows:
                for fr in conn.execute(sa.select(film).where(f.judgement_id.in_(list(films)))
                                       .order_by(f.judgement_id, f.position)):
                    films[fr.judgement_id].append(_film_dict(fr))
        return [_report_dict(r, films[r.id]) for r in rows]

    def months(self) -> list[MonthSummary]:
        """One :class:`MonthSummary` per month with a judgement, oldest first (one ``GROUP BY`` query)."""
        j = judgement.c
        y, m = sa.extract("year", j.day), sa.extract("month", j.day)
        q = (sa.select(y.label("y"), m.label("m"), sa.func.count().label("n"),
                       sa.func.sum(sa.case((j.verdict == "pass", 1), else_=0)).label("n_pass"),
                       sa.func.sum(j.n_films).label("films"), sa.func.sum(j.n_pass).label("films_pass"))
             .group_by(y, m).order_by(y, m))
        with self._begin("summarising the months") as conn:
            return [MonthSummary(int(r.y), int(r.m), int(r.n), int(r.n_pass), int(r.films), int(r.films_pass))
                    for r in conn.execute(q)]

    def month(self, year: int, month: int) -> list[dict[str, Any]]:
        """Every judgement of one month (cast date, else judgement date), oldest first, without films."""
        j = judgement.c
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
        with self._begin(f"reading {year:04d}-{month:02d}") as conn:
            rows = conn.execute(sa.select(judgement).where(j.day >= start, j.day < end)
                                .order_by(j.day, j.batch_id, j.id)).all()
        return [_report_dict(r) for r in rows]

    def judgements(self, *, since: date | None = None, until: date | None = None,
                   verdict: str | None = None) -> list[dict[str, Any]]:
        """One dict per judgement (:data:`EXPORT_COLUMNS`), oldest first, filtered.

        ``since`` and ``until`` are inclusive and apply to the cast date (the
        judgement's UTC date for a batch without one); ``verdict`` is ``"pass"``
        or ``"fail"``. ``judged_at`` is ISO 8601 in UTC.
        """
        j = judgement.c
        q = sa.select(*(getattr(j, c) for c in EXPORT_COLUMNS)).order_by(j.day, j.batch_id, j.id)
        if since is not None:
            q = q.where(j.day >= since)
        if until is not None:
            q = q.where(j.day <= until)
        if verdict is not None:
            q = q.where(j.verdict == verdict)
        with self._begin("exporting judgements") as conn:
            rows = conn.execute(q).all()
        return [{"batch_id": r.batch_id, "cast_date": r.cast_date.isoformat() if r.cast_date else None,
                 "judged_at": _utc(r.judged_at).isoformat(timespec="seconds"), "verdict": r.verdict,
                 "n_films": r.n_films, "n_pass": r.n_pass, "content_sha256": r.content_sha256,
                 "model_sha256": r.model_sha256} for r in rows]

    def films(self, judgement_id: int) -> list[dict[str, Any]]:
        """The films of one judgement as the judge returned them (``sample_id, pass, reasons[, notes]`` + record)."""
        f = film.c
        with self._begin("reading films") as conn:
            rows = conn.execute(sa.select(film).where(f.judgement_id == judgement_id).order_by(f.position)).all()
        return [_film_dict(r) for r in rows]


# --------------------------------------------------------------------------------------------- opening
def _current_revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(conn: Connection) -> None:
    """Run the Alembic revisions up to :data:`HEAD` on ``conn`` (inside its transaction)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, HEAD)


def _import_folder(conn: Connection, out: Path) -> tuple[int, list[str]]:
    """Import every batch JSON report in ``out`` (oldest cast date first); return (count, skipped names)."""
    items, skipped = [], []
    for p in sorted(Path(out).glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not JSON: not a batch report
        if not (isinstance(d, dict) and str(d.get("schema_version", "")).startswith("ssereport-batch/")):
            continue  # a study's results JSON, a compare JSON, ... (every batch schema is imported, old ones too)
        try:
            items.append((d.get("cast_date") or "9999", str(d.get("batch_id")), p.name, _rows(d, f"imported from "
                                                                                                 f"{p.name}")))
        except ValueError as exc:
            skipped.append(f"{p.name} ({exc})")
    n = 0
    for _, _, _, (row, films) in sorted(items, key=lambda t: t[:3]):
        n += _insert(conn, row, films).new
    return n, skipped


def open_history(db: str | os.PathLike | None = None, *, out: str | os.PathLike | None = None,
                 timeout: float = 30.0, create: bool = True) -> History:
    """Open (and, the first time, create) the batch history.

    Parameters
    ----------
    db : str or path, optional
        A database URL (``postgresql://user@host/db``, ``postgresql+psycopg://…``,
        ``sqlite:///file``) or an SQLite file; default ``OUT/history.sqlite``.
    out : path, optional
        The report folder: the default database's place, and, when this call
        creates the database, the folder whose batch JSON reports are imported.
    timeout : float, default 30
        Seconds to wait for a lock held by another process.
    create : bool, default True
        False: a missing SQLite file is an error (``ssereport history`` reads only).

    Returns
    -------
    History
        ``created`` when the database was created here; ``note`` says how many reports were imported.

    Raises
    ------
    HistoryError
        The database cannot be opened or created, is locked past ``timeout``,
        is corrupt, or was written by a newer ssereport.

    Examples
    --------
    >>> from ssereport.qa.history import open_history
    >>> h = open_history(out="reports")                                  # doctest: +SKIP
    >>> [(r["batch_id"], r["verdict"]) for r in h.judgements(verdict="fail")]  # doctest: +SKIP
    [('2026-03-16_C', 'fail')]
    """
    url = history_url(db, out)
    where = _where(url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        if not path.is_file() and not create:
            raise HistoryError(f"no batch history at {path}: run ssereport batch or watch with this --out "
                               "(or give --db)")
        if not path.parent.is_dir():
            raise HistoryError(f"cannot create the history database {path}: the folder {path.parent} does not "
                               "exist")
    h = History(url, timeout)
    with h._begin("opening it") as conn:
        if url.get_backend_name() != "sqlite":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        current = _current_revision(conn)
        if current == HEAD:
            return h
        if current is not None and current not in REVISIONS:
            raise HistoryError(f"the history database {where} has schema revision {current!r}, written by a newer "
                               f"ssereport; this one reads revisions {', '.join(REVISIONS)}: upgrade ssereport")
        if current is None and not create:
            raise HistoryError(f"{where} holds no batch history (no ssereport schema)")
        _upgrade(conn)
        h.created = current is None
        if current is None:
            n, skipped = _import_folder(conn, Path(out)) if out is not None and Path(out).is_dir() else (0, [])
            parts = ([f"imported the {n} batch report{'s' if n != 1 else ''} already in {out} (once)"] if n else []) \
                + ([f"not imported (incomplete): {', '.join(skipped)}"] if skipped else [])
            # a new, empty history in a new folder is not worth a note; an imported folder is
            h.note = f"created the batch history {where}; {'; '.join(parts)}" if parts else None
        else:
            h.note = f"upgraded the batch history {where} from schema {current} to {HEAD}"
    return h


# --------------------------------------------------------------------------------------------- export
def _date_option(text: str | None, option: str) -> date | None:
    from ..errors import ConfigError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option}: got {text!r}, expected a date YYYY-MM-DD") from None


def export_history(out: str | os.PathLike, *, db: str | None = None, since: str | date | None = None,
                   until: str | date | None = None, verdict: str | None = None, csv: str | os.PathLike | None = None,
                   json: str | os.PathLike | None = None, timeout: float = 30.0) -> str | None:
    """``ssereport history``: the judgements as CSV or JSON (written atomically), else as a text table.

    Returns
    -------
    str or None
        The text table when neither ``csv`` nor ``json`` is given.

    Raises
    ------
    ConfigError
        A date that is not YYYY-MM-DD, a verdict other than pass/fail, ``since`` after ``until``.
    HistoryError
        No history there, or it cannot be read.
    """
    import csv as csv_module
    import io

    from ..errors import ConfigError
    from ..files import atomic_write
    from ..jsonutil import dumps

    since = since if isinstance(since, date) or since is None else _date_option(since, "--since")
    until = until if isinstance(until, date) or until is None else _date_option(until, "--until")
    if since is not None and until is not None and since > until:
        raise ConfigError(f"--since {since} is after --until {until}: no date can match")
    if verdict is not None and verdict not in ("pass", "fail"):
        raise ConfigError(f"--verdict: got {verdict!r}, expected 'pass' or 'fail'")
    h = open_history(db, out=out, timeout=timeout, create=False)
    try:
        rows = h.judgements(since=since, until=until, verdict=verdict)
    finally:
        h.dispose()
    if json is not None:
        atomic_write(json, dumps(rows))
        return None
    buf = io.StringIO()
    if csv is not None:
        writer = csv_module.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        atomic_write(csv, buf.getvalue())
        return None
    cells = [list(EXPORT_COLUMNS)] + [["" if r[c] is None else str(r[c]) for c in EXPORT_COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(EXPORT_COLUMNS))]
    for row in cells:
        buf.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    buf.write(f"({len(rows)} judgement{'s' if len(rows) != 1 else ''})\n")
    return buf.getvalue()
