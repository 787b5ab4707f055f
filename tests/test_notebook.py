"""Results show themselves in a notebook: docs/notebook.ipynb executed with nbclient, and the reprs' sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_repr_is_short_and_html_is_small_with_tables(reference_results, reference_table):
    for obj, name in ((reference_results, "StudyResults"), (reference_table, "FilmTable")):
        text = repr(obj)
        assert text.startswith(f"<{name} sse_films_reference.csv") and len(text) <= 2000
        html = obj._repr_html_()
        assert len(html.encode("utf-8")) <= 200_000 and "<table" in html
    html = reference_results._repr_html_()
    for head in ("Quality classes", "Kruskal-Wallis", "ANOVA of log(RD)", "Classifier"):
        assert head in html
    counts = reference_results.clusters.counts
    assert "classes {" + ", ".join(f"{c}: {n}" for c, n in counts.items()) + "}" in repr(reference_results)
    assert "conductivity_s_cm" in html and "&lt;" not in repr(reference_results)


def test_film_table_html_escapes_and_stays_small(write_csv, reference_text):
    import ssereport

    lines = reference_text.splitlines()
    head, first = lines[0], lines[1].split(",", 1)
    path = write_csv("\n".join([head, "<script>x</script>," + first[1], *lines[2:]]) + "\n")
    html = ssereport.load_films(path)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.slow
def test_notebook_runs_and_shows_html_tables(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(DOCS / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(DOCS)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    table_out, results_out = code[0].outputs[-1], code[1].outputs[-1]
    for out, name in ((table_out, "FilmTable"), (results_out, "StudyResults")):
        assert out.output_type == "execute_result"
        assert "<table" in out.data["text/html"] and len(out.data["text/html"]) <= 200_000
        assert out.data["text/plain"].startswith(f"<{name} ") and len(out.data["text/plain"]) <= 2000
    assert "Kruskal-Wallis" in results_out.data["text/html"]
    assert code[2].outputs[0].text.startswith("<StudyResults sse_films_reference.csv: 110 films")
    assert code[3].outputs[-1].data["text/plain"] == "['csv', 'html', 'json']"
