"""The bad-input corpus (tests/bad_inputs/): every file a lab would really produce, run through the CLI.

Each (case, command) runs in this process through ``ssereport.cli.main([...])``, stdout, stderr and
the exit code captured; :func:`test_subprocess_behaves_as_in_process` runs a few of them as
``python -m ssereport`` subprocesses too and checks that both give the same exit code, stdout and
stderr. Valid files are analysed with the tests' fast settings (``--config``, no bootstrap, one CV
repeat): the corpus is about reading files, not about the bootstrap. The cases and the exact messages
are in ``tests/bad_inputs/cases.toml``; the files are made by ``tests/bad_inputs/make_corpus.py``.

* error cases: exit code 2, every expected substring in stderr, the file named,
  one ``ssereport: error:`` message, no traceback, no warning, nothing written
  to the output folder;
* valid cases: exit code 0 and every input film exactly once in the results.

To run another command on the corpus (e.g. ``report``), add a :class:`Command`
to ``COMMANDS`` and ``report.error = [...]`` / ``report.ok = true`` to the cases.
"""

from __future__ import annotations

import importlib.util
from markupsafe import escape as html_escape
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from .conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
REFERENCE_CSV = ROOT / "data" / "sse_films_reference.csv"
CASES: list[dict] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
EXPECTED_IDS: dict[str, list[str]] = json.loads((CORPUS / "expected_ids.json").read_text(encoding="utf-8"))
NOT_CORPUS = {"cases.toml", "make_corpus.py", "README.md", "expected_ids.json"}
MAX_COMMITTED_BYTES = 50_000


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("MPLCONFIGDIR", "/tmp/mpl")
    env["MPLBACKEND"] = "Agg"
    env["OMP_NUM_THREADS"] = "1"  # K-means bootstrap is ~3x faster without thread oversubscription
    env.pop("SSEREPORT_DEBUG", None)
    return env


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssereport", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", env=_env(), cwd=ROOT, timeout=300)


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Command:
    """How to run one CLI command on a corpus file, and what 'nothing written' / 'every film' means."""

    name: str
    argv: Callable[[Path, Path, dict], list]  # (input file, fresh tmp dir, fixtures) -> args after "ssereport"
    out_dir: Callable[[Path], Path]  # tmp dir -> the output folder that must stay empty on error
    allowed_on_error: frozenset[str] = frozenset()  # files the command may leave there on error
    result_ids: Callable[[Path], list[str]] | None = None  # tmp dir -> sample IDs in the results
    result_notes: Callable[[Path], list[str]] | None = None
    needs: tuple[str, ...] = ()  # fixtures passed in the dict
    analyzes: bool = False  # runs the analysis: valid files get the fast settings (--config)


def _analyze_ids(tmp: Path) -> list[str]:
    return _analyze_json(tmp)["classes"]["sample_id"]


def _analyze_json(tmp: Path) -> dict:
    return json.loads((tmp / "out" / "results.json").read_text(encoding="utf-8"), parse_constant=_no_constant)


def _no_constant(c: str):
    raise ValueError(f"non-strict JSON constant {c}")


def _batch_jsons(tmp: Path) -> list[dict]:
    out = []
    for p in sorted((tmp / "out").glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"), parse_constant=_no_constant)
        if d.get("schema_version", "").startswith("ssereport-batch/"):
            out.append(d)
    return out


def _batch_ids(tmp: Path) -> list[str]:
    return [f["sample_id"] for d in _batch_jsons(tmp) for f in d["films"]]


COMMANDS: dict[str, Command] = {
    "analyze": Command(
        "analyze",
        argv=lambda f, tmp, fx: ["analyze", f, "--json", tmp / "out" / "results.json"],
        out_dir=lambda tmp: tmp / "out",
        result_ids=_analyze_ids,
        result_notes=lambda tmp: _analyze_json(tmp)["input"]["notes"],
        analyzes=True,
    ),
    "batch": Command(
        "batch",
        argv=lambda f, tmp, fx: ["batch", f, "--model", fx["reference_model_path"], "--out", tmp / "out",
                                 "--format", "json", "--exit-zero"],  # the input is at stake here, not the verdict
        out_dir=lambda tmp: tmp / "out",
        # the index lists failed files by design, from the batch history; no batch report may be written
        allowed_on_error=frozenset({"index.html", "history.sqlite"}),
        result_ids=_batch_ids,
        result_notes=lambda tmp: [n for d in _batch_jsons(tmp) for n in d["input"]["notes"]],
        needs=("reference_model_path",),
    ),
    # a spec file (the case's file) applied to the valid good_batch.csv
    "spec": Command(
        "spec",
        argv=lambda f, tmp, fx: ["batch", CORPUS / "good_batch.csv", "--model", fx["reference_model_path"], "--spec", f,
                                 "--out", tmp / "out", "--format", "json", "--exit-zero"],
        out_dir=lambda tmp: tmp / "out",
        allowed_on_error=frozenset({"index.html"}),
        result_ids=_batch_ids,
        result_notes=lambda tmp: [n for d in _batch_jsons(tmp) for n in d["input"]["notes"]],
        needs=("reference_model_path",),
    ),
    # `report` runs the same loading and analysis as `analyze`: it shares analyze's expectations
    # (the spec key below); valid files are rendered only where the report itself is at stake.
    "report": Command(
        "report",
        argv=lambda f, tmp, fx: ["report", f, "--out", tmp / "out", "--format", "html", "--quiet"],
        out_dir=lambda tmp: tmp / "out",
        result_ids=lambda tmp: _report_json(tmp)["classes"]["sample_id"],
        result_notes=lambda tmp: _report_json(tmp)["input"]["notes"],
        analyzes=True,
    ),
}
SPEC_OF = {"report": "analyze"}
REPORT_OK = {"html_script_ids.csv", "long_ids.csv"}


def _report_json(tmp: Path) -> dict:
    (path,) = (tmp / "out").glob("*.results.json")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)


def _params():
    params = []
    for case in CASES:
        for name in COMMANDS:
            key = SPEC_OF.get(name, name)
            if key not in case:
                continue
            if name == "report" and case[key].get("ok") and case["file"] not in REPORT_OK:
                continue
            marks = []
            if "xfail" in case[key]:
                marks.append(pytest.mark.xfail(reason=case[key]["xfail"], strict=True))
            params.append(pytest.param(case, name, id=f"{name}:{case['file']}", marks=marks))
    return params


@pytest.fixture(scope="session")
def huge_csv(tmp_path_factory) -> Path:
    """huge.csv (60 MB), made once per session: the commands only read it."""
    return _make_corpus_module().make_huge(tmp_path_factory.mktemp("huge") / "huge.csv", size_mb=60)


def _input_file(case: dict, request) -> Path:
    if case.get("runtime"):  # too big to commit: made at run time
        assert case["file"] == "huge.csv", f"no runtime generator for {case['file']}"
        return request.getfixturevalue("huge_csv")
    return CORPUS / case["file"]


def _argv(case: dict, command: str, tmp_path: Path, request) -> list:
    """The command line of (case, command); valid files that are analysed get the fast settings."""
    cmd = COMMANDS[command]
    fixtures = {name: request.getfixturevalue(name) for name in cmd.needs}
    argv = cmd.argv(_input_file(case, request), tmp_path, fixtures)
    if cmd.analyzes and case[SPEC_OF.get(command, command)].get("ok"):
        argv += ["--config", request.getfixturevalue("fast_config_file")]
    return argv


@pytest.mark.parametrize(("case", "command"), _params())
def test_corpus(case: dict, command: str, tmp_path: Path, request, capsys, monkeypatch) -> None:
    proc = run_main(capsys, monkeypatch, *_argv(case, command, tmp_path, request))
    _check(case, command, proc, tmp_path)


#: (file, command) pairs also run as `python -m ssereport` subprocesses: an error while reading, errors in
#: the cells of a batch, and a missing column in a report (its figure process started, then stopped). A valid
#: file through the whole report in a subprocess: ``tests/test_safety.py`` (two at once) and
#: ``tests/test_figproc.py`` (what the parent imports).
SMOKE = [("empty.csv", "analyze"), ("non_numeric_cells.csv", "batch"), ("missing_column.csv", "report")]


def _case(file: str) -> dict:
    (case,) = [c for c in CASES if c["file"] == file]
    return case


@pytest.mark.parametrize(("file", "command"), SMOKE, ids=[f"{c}:{f}" for f, c in SMOKE])
def test_subprocess_behaves_as_in_process(file: str, command: str, tmp_path: Path, request, capsys,
                                          monkeypatch) -> None:
    """The real entry point gives what test_corpus's in-process ``main([...])`` gives: code, stdout, stderr."""
    case = _case(file)
    sub_tmp, in_tmp = tmp_path / "sub", tmp_path / "in"
    sub_tmp.mkdir(), in_tmp.mkdir()
    proc = run_cli(*_argv(case, command, sub_tmp, request))
    _check(case, command, proc, sub_tmp)
    ran = run_main(capsys, monkeypatch, *_argv(case, command, in_tmp, request))
    _check(case, command, ran, in_tmp)
    sub = [proc.returncode, *(text.replace(str(sub_tmp), "<tmp>") for text in (proc.stdout, proc.stderr))]
    got = [ran.returncode, *(text.replace(str(in_tmp), "<tmp>") for text in (ran.stdout, ran.stderr))]
    assert sub == got


def _check(case: dict, command: str, proc, tmp_path: Path) -> None:
    """Every expectation of cases.toml on one run (``proc``: exit code, stdout and stderr)."""
    cmd = COMMANDS[command]
    spec = case[SPEC_OF.get(command, command)]
    err = proc.stderr
    out_dir = cmd.out_dir(tmp_path)
    where = f"\n--- stdout:\n{proc.stdout[-3000:]}\n--- stderr:\n{err[-3000:]}"

    assert "Traceback" not in err, where
    if spec.get("ok"):
        assert proc.returncode == 0, where
        ids = cmd.result_ids(tmp_path)
        expected = EXPECTED_IDS[case["file"]]
        twice = [i for i, n in Counter(ids).items() if n > 1]
        assert not twice, f"films in the results more than once: {twice[:5]}"
        assert Counter(ids) == Counter(expected), (
            f"missing: {sorted(set(expected) - set(ids))[:5]}, unexpected: {sorted(set(ids) - set(expected))[:5]}")
        notes = cmd.result_notes(tmp_path)
        for want in spec.get("notes", []):
            assert any(want in n for n in notes), f"no note contains {want!r}; notes: {notes}"
        if command == "report":  # user text appears as text, never as markup
            (html,) = (tmp_path / "out").glob("*.html")
            page = html.read_text(encoding="utf-8")
            assert "<script>alert" not in page.lower() and "<img src=x" not in page
            for sid in expected:  # shown literally (escaped), e.g. "{{ 7*7 }}" stays as typed
                assert str(html_escape(sid)) in page or len(sid) > 80, sid
        return

    assert "error" in spec, f"case {case['file']}/{command}: give ok = true or error = [...]"
    assert proc.returncode == 2, where
    assert Path(case["file"]).name in err, f"the message does not name the file{where}"
    for want in spec["error"]:
        assert want in err, f"expected {want!r} in stderr{where}"
    assert err.count("ssereport: error:") == 1 and err.startswith("ssereport: error:"), (
        f"expected exactly one message on stderr{where}")
    assert "Warning" not in err, f"a warning leaked onto stderr{where}"
    left = sorted(p.name for p in out_dir.iterdir()) if out_dir.exists() else []
    unexpected = [n for n in left if n not in cmd.allowed_on_error]
    assert not unexpected, f"files left in the output folder after an error: {unexpected}"


# --------------------------------------------------------------------------- the corpus itself


def test_manifest_covers_every_file() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.is_file()} - NOT_CORPUS
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed)), "a file is listed twice in cases.toml"
    runtime = {c["file"] for c in CASES if c.get("runtime")}
    assert files == set(listed) - runtime, (
        f"not in cases.toml: {sorted(files - set(listed))}; listed but missing: {sorted(set(listed) - runtime - files)}")
    assert len(listed) >= 25
    for c in CASES:
        commands = [k for k in c if k in COMMANDS]
        assert commands, f"{c['file']}: no command to run"
        for k in commands:
            assert c[k].get("ok") or c[k].get("error"), f"{c['file']}/{k}: give ok = true or error = [...]"
            if c[k].get("ok"):
                assert c["file"] in EXPECTED_IDS, f"{c['file']}: valid, but no expected_ids.json entry"
    unknown = {k for c in CASES for k in c} - {"file", "what", "wish", "runtime"} - set(COMMANDS)
    assert not unknown, f"unknown keys in cases.toml (a command without a Command?): {unknown}"


def test_committed_files_are_small() -> None:
    big = {p.name: p.stat().st_size for p in CORPUS.iterdir() if p.is_file() and p.stat().st_size > MAX_COMMITTED_BYTES}
    assert not big, f"corpus files over {MAX_COMMITTED_BYTES} bytes: {big}"


def test_make_corpus_is_deterministic(tmp_path: Path) -> None:
    """make_corpus.py regenerates exactly the committed files."""
    files = _make_corpus_module().build(tmp_path)
    changed = [name for name, data in files.items() if (CORPUS / name).read_bytes() != data]
    assert not changed, f"committed corpus files differ from make_corpus.py output: {changed}"
