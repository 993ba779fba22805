# Pitwall's entry points: make demo | make test | make bench | make lint
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
BENCH_DB ?= /tmp/pitwall-bench-demo.duckdb

.PHONY: install demo test bench bench-sync lint chromium clean

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

# Pitwall at scale (docs/performance.md): `make bench` measures sizes S and M (M with fewer
# runs, to stay under 10 minutes on 2 cores), `make bench SIZE=L` measures L. Data sets are
# generated once into /tmp/pitwall-bench; tables go to bench/results/. Not run by `make test`.
SIZE ?=
RUNS ?= 5
M_RUNS ?= 3
M_IMPORT_RUNS ?= 1
bench: install
ifeq ($(SIZE),)
	$(BIN)/python bench/run.py --size S --runs $(RUNS)
	$(BIN)/python bench/run.py --size M --runs $(M_RUNS) --import-runs $(M_IMPORT_RUNS)
	$(BIN)/python bench/compare.py S M
else
	$(BIN)/python bench/run.py --size $(SIZE) --runs $(RUNS)
	$(BIN)/python bench/compare.py S M L
endif

# The earlier benchmarks (the demo's devex timings, the GitLab and GitHub syncs against the fakes).
bench-sync: install
	$(BIN)/pitwall --db $(BENCH_DB) demo --no-serve
	$(BIN)/python bench/devex_timings.py $(BENCH_DB)
	$(BIN)/python bench/gitlab_sync.py
	$(BIN)/python bench/github_sync.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) pitwall.duckdb *.egg-info
