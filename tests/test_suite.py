"""The test suite's own set-up for pytest-xdist (tests/conftest.py): the work units of `make test`."""

from __future__ import annotations

import pytest

from .conftest import BY_TEST, xdist_scope


def test_work_units():
    assert xdist_scope("tests/test_watch.py::test_sigint_stops_cleanly") == "timing"
    assert xdist_scope("tests/test_browser.py::test_html_loads_without_failed_requests_or_console_errors") == "timing"
    assert xdist_scope("tests/test_report.py::test_pdf_is_pdf_a_3b[typst]") == "tests/test_report.py"
    one = "tests/test_bad_inputs.py::test_corpus[analyze:empty.csv]"
    assert xdist_scope(one) == one


def test_modules_handed_out_test_by_test_share_no_fixture(request):
    """A module-scoped fixture in a BY_TEST module would be set up once per worker: move the module out."""
    items = [i for i in request.session.items if i.nodeid.split("::", 1)[0] in BY_TEST]
    if not items:
        pytest.skip("no test of a BY_TEST module collected in this run")
    shared = {i.nodeid: names for i in items
              if (names := [n for n, defs in i._fixtureinfo.name2fixturedefs.items()
                            if defs and defs[-1].scope in ("module", "class")])}
    assert not shared
