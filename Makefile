# Pitwall's entry points: make demo | make test | make bench | make lint
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
BENCH_DB ?= /tmp/pitwall-bench-demo.duckdb

.PHONY: install demo test bench lint chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium for the browser smoke tests (never `playwright install`).
chromium:
	@test -x $(CHROMIUM) || (command -v apt-get >/dev/null && \
	  (apt-get update -q && apt-get install -y -q chromium) || \
	  (echo "Chromium missing: install it (Debian: apt-get install chromium)" >&2; exit 1))

demo: install
	$(BIN)/pitwall demo

test: install chromium
	$(BIN)/python -m pytest -q

# The benchmarks measured so far (figures in the issue notes); not run by `make test`.
bench: install
	$(BIN)/pitwall --db $(BENCH_DB) demo --no-serve
	$(BIN)/python bench/devex_timings.py $(BENCH_DB)
	$(BIN)/python bench/gitlab_sync.py
	$(BIN)/python bench/github_sync.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) pitwall.duckdb *.egg-info
