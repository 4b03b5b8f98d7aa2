# ossmeta — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export OSSMETA_HOME ?= $(CURDIR)/.ossmeta

.PHONY: help install demo test test-shuffled test-postgres lint format bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark,bench]'
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)  ## create .venv with pinned dependencies and fetch the pages' front-end files and the pinned npm (sha512-checked)
	$(BIN)/python -m ossmeta.surfaces.web.assets.fetch
	$(BIN)/python -m ossmeta.surfaces.index.npm_client

demo: install  ## advisories + a scan; registry sync, curation, why, quality; events, git, identities, metrics; then serve the center with a demo tenant
	$(BIN)/ossmeta db upgrade
	$(BIN)/ossmeta advisories import --data-license CC-BY-4.0 examples/advisories
	$(BIN)/ossmeta scan examples/project; status=$$?; [ $$status -le 1 ] || exit $$status
	$(BIN)/python examples/registry_demo.py
	$(BIN)/python examples/activity_demo.py
	$(BIN)/python examples/program_demo.py
	$(BIN)/python examples/service_demo.py

test: install  ## the whole test suite (PostgreSQL tests run when OSSMETA_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider

SEED ?= 1
test-shuffled: install  ## the suite in a seeded random order (SEED=n) beside a busy CPU: finds order- and load-dependent tests
	$(BIN)/python -c "while True: pass" & load=$$!; \
	OSSMETA_TEST_SHUFFLE=$(SEED) $(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider; \
	status=$$?; kill $$load; exit $$status

lint: $(STAMP)  ## ruff, mypy (strict) and the import-layer contract
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench examples
	$(BIN)/ruff check --fix src tests bench examples

bench: $(STAMP)  ## benchmarks (figures printed side by side with their floors)
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_scan.py
	$(BIN)/python bench/bench_normalize_licenses.py
	$(BIN)/python bench/bench_normalize_repos.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_events_import.py
	$(BIN)/python bench/bench_git.py
	$(BIN)/python bench/bench_openrank.py
	$(BIN)/python bench/bench_metrics.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_inventory.py
	$(BIN)/python bench/bench_reevaluate.py
	$(BIN)/python bench/bench_matching.py --cap 900
	$(BIN)/python bench/bench_delivery.py
	$(BIN)/python bench/bench_vex.py
	$(BIN)/python bench/bench_private.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_pip_overhead.py --runs 7
	$(BIN)/python bench/bench_npm_index.py
	$(BIN)/python bench/bench_policy.py --sqlite

clean:
	rm -rf $(VENV) .ossmeta .mypy_cache .ruff_cache .pytest_cache
