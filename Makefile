# Attent: `make run` starts it with demo data on SQLite; `make test` runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install run test lint typecheck pytest browser-deps messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/attent migrate
	$(BIN)/attent demo
	$(BIN)/attent serve

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Refresh the catalogs after changing UI text; then translate the new entries in the .po files.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k t -k gettext:2 --no-wrap --project=Attent -o src/attent/locales/messages.pot .
	$(BIN)/pybabel update -i src/attent/locales/messages.pot -d src/attent/locales -D messages --no-wrap
	rm src/attent/locales/messages.pot

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
