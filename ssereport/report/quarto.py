"""``--engine quarto``: render ``templates/report.qmd`` with the ``quarto`` program.

The study document as a Quarto notebook (HTML and Typst PDF, both declared in
``report.qmd``), for labs that keep their reports in Quarto. The command checks
the settings and the data first (errors read as with the other engines); this
module only hands every option to Quarto as a parameter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

__all__ = ["render_quarto"]


def render_quarto(data: str | Path, out: str | Path, formats: Sequence[str], options: Mapping[str, object]) -> None:
    """Run ``quarto render`` on a copy of report.qmd with every option of the command as a parameter.

    Parameters
    ----------
    data : str or Path
        The film table (made absolute).
    out : str or Path
        Output folder, created if missing.
    formats : sequence of {"html", "pdf"}
        ``html`` -> Quarto's html format, ``pdf`` -> its typst format, both -> ``all``.
    options : mapping
        The command's options (``config``, ``columns``, ``seed``, ``title``, ``author``, ``sheet``,
        ``drop_invalid``, ``max_file_mb``); paths are made absolute.

    Raises
    ------
    ConfigError
        When ``quarto`` is not on PATH, or when it fails.

    Notes
    -----
    The parameters go in an ``--execute-params`` YAML file (written as JSON, which is YAML), so that
    titles with quotes, colons or newlines reach the document unchanged. The document is rendered in a
    scratch folder, so its figures never land in the package.
    """
    exe = shutil.which("quarto")
    if exe is None:
        raise ConfigError("--engine quarto needs the `quarto` program on PATH, and it was not found; install "
                          "Quarto (https://quarto.org) or use the default engine, --engine typst")
    params = {"data": str(Path(data).resolve())}
    for key, value in options.items():
        params[key] = str(Path(value).resolve()) if isinstance(value, Path) else value
    to = {("html",): "html", ("pdf",): "typst"}.get(tuple(formats), "all")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ssereport-quarto-") as tmp:
        qmd = Path(tmp) / "report.qmd"
        qmd.write_bytes((resources.files("ssereport") / "templates" / "report.qmd").read_bytes())
        params_file = Path(tmp) / "params.yml"
        params_file.write_text(json.dumps(params, ensure_ascii=False, indent=1), encoding="utf-8")
        args = [exe, "render", str(qmd), "--to", to, "--execute-params", str(params_file),
                "--output-dir", str(out.resolve())]
        proc = subprocess.run(args, check=False, cwd=tmp)
    if proc.returncode != 0:
        raise ConfigError(f"quarto render failed with exit code {proc.returncode}")
