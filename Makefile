# Platform 6: `make help` lists the commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: help run test test-postgres test-federation bench bench-load lint fmt install install-dev demo worker translations i18n-extract i18n-update

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps: pip runs again only when a requirements file changes, so `make test` starts at once.
$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations ## create .venv, install the runtime requirements, compile the translations

install-dev: $(VENV)/.installed-dev translations ## install runtime and development requirements

# Translations: platform6/translations/<language>/LC_MESSAGES/messages.po, compiled to .mo (not committed).
CATALOGUE := platform6/translations
PO_FILES := $(wildcard $(CATALOGUE)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

translations: $(MO_FILES) ## compile the translation catalogues

$(CATALOGUE)/%/LC_MESSAGES/messages.mo: $(CATALOGUE)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	@$(BIN)/pybabel compile --use-fuzzy -f -i $< -o $@ 2>&1 | grep -v "^compiling" || true

i18n-extract: $(VENV)/.installed ## collect every string marked for translation into messages.pot
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k plural_words:1,2 -k Message --no-location --sort-output \
		--omit-header -o $(CATALOGUE)/messages.pot .

i18n-update: i18n-extract ## merge messages.pot into every language's messages.po (then translate, then `make translations`)
	$(BIN)/pybabel -q update -i $(CATALOGUE)/messages.pot -d $(CATALOGUE) --no-fuzzy-matching --ignore-obsolete

run: install ## migrate, load the demo data if empty, serve on http://127.0.0.1:5000
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Platform 6 on http://$${HOST:-127.0.0.1}:$${PORT:-5000} — sign in as alice@example.org / platform6"
	$(BIN)/python app.py

test: install-dev ## run the test suite (SQLite; set DATABASE_URL=postgresql://... for PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-dev ## run the test suite on PostgreSQL: DATABASE_URL, else postgresql://postgres@127.0.0.1/test
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

test-federation: install-dev ## only the three-installation federation scenarios (real gunicorn processes, ~40 s; also in `make test`)
	$(BIN)/python -m pytest -m federation tests/federation $(PYTEST_ARGS)

bench: install-dev ## run the benchmarks under bench/ and print their figures
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

bench-load: install-dev ## the load test alone: Locust (own venv, .venv-load) on gunicorn, 1 and 2 processes
	$(BIN)/python bench/bench_load.py

lint: install-dev ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install-dev ## format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: install ## migrate, then load the demo data (alice@example.org / platform6) if the database is empty
	$(BIN)/flask db upgrade
	$(BIN)/flask demo

worker: install ## run the scheduler as its own process
	$(BIN)/flask worker
