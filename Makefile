# The two set-up commands of the README: `make report` and `make test`.
# Both create .venv on first use and install the tested versions (constraints.txt).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export MPLCONFIGDIR := $(CURDIR)/.mplconfig
export MPLBACKEND := Agg

.PHONY: report test venv clean data

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,weasyprint,postgresql]"
	touch $(STAMP)

venv: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/ssereport report data/sse_films_reference.csv --out reports
	$(VENV)/bin/ssereport fit data/sse_films_reference.csv --model models/reference.json --quiet
	$(VENV)/bin/ssereport batch data/batches/*.csv --model models/reference.json --out reports --jobs 2 --exit-zero

# pytest-xdist: one worker per CPU core (`make test PYTEST_WORKERS=0` runs in one process); loadscope
# with the work units of tests/conftest.py (a module with shared fixtures on one worker, the tests that
# wait against a deadline on one worker one at a time, the rest test by test).
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadscope --basetemp=$(CURDIR)/.pytest-tmp -p no:cacheprovider $(PYTEST_ARGS)

data: $(STAMP)
	$(PY) data/generate_reference.py

clean:
	rm -rf $(VENV) .pytest-tmp .mplconfig
