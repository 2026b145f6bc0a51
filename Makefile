# Attent: `make run` starts it with demo data on SQLite; `make test` runs every check.
# The interpreter for .venv: Debian's python3 where it has venv (built with PGO and LTO, about 10% faster than a
# pyenv build without --enable-optimizations: bench/README.md), else the first python3 on the PATH.
PY ?= $(shell /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PYPROJECT := $(shell sha1sum pyproject.toml | cut -c1-12)
# Two installs in one .venv: what runs (`make run`) and that plus the dev extras (`make test`: pytest, ruff,
# mypy and its mypyc, Playwright). Each leaves a stamp named after pyproject.toml's hash; the dev install
# holds all that runs, so `make run` after `make test` installs nothing, and `make test` after `make run`
# adds the extras.
RUN_STAMP := $(VENV)/.installed-run-$(PYPROJECT)
DEV_STAMP := $(VENV)/.installed-dev-$(PYPROJECT)
RUN_NEEDS := $(if $(wildcard $(DEV_STAMP)),$(DEV_STAMP),$(RUN_STAMP))
PYTEST_ARGS ?=

.PHONY: install install-run native run test lint typecheck pytest browser-deps mail-deps messages bench-load bench bench-promises bench-signals clean

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	rm -f $(VENV)/.installed-* && touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(DEV_STAMP)

install: $(DEV_STAMP)

install-run: $(RUN_NEEDS)

# The coach's scoring modules compiled with mypyc (attent.coach.engine.native); a no-op while the build matches the
# sources. Without a C compiler the coach still runs, as plain Python and slower.
native: install
	@command -v cc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc python3-dev >/dev/null; } || echo "warning: no C compiler could be installed"
	@$(BIN)/python -m attent.coach.engine.build_native || echo "warning: the coach was not compiled; it runs as plain Python"

# Only what runs: no dev extras, so no mypyc and no compiling. The coach runs compiled when `make native` (or
# `make test`) built it from the sources on disk, else as plain Python (same scorecards, slower).
run: install-run
	$(BIN)/attent migrate
	$(BIN)/attent demo
	$(BIN)/attent serve

test: native mail-deps lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench corpus
	$(BIN)/ruff format --check src tests bench corpus

typecheck: install
	$(BIN)/mypy

pytest: native
	$(BIN)/pytest $(PYTEST_ARGS)

# The PostgreSQL half of the suite on a Citus cluster's coordinator (tools/citus/cluster.sh starts one).
# Not in CI: Citus is in no package registry (tools/citus/build.sh builds it from its source).
test-citus: native
	@test -n "$$ATTENT_TEST_CITUS_URL" || { echo "set ATTENT_TEST_CITUS_URL, e.g. postgresql://postgres@127.0.0.1:9700/postgres"; exit 2; }
	$(BIN)/pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's Dovecot for the e-mail tests: tests/mailserver.py starts its own instance with its own
# configuration in a temporary folder; the system service is neither started nor configured. Where it
# cannot be installed the IMAP tests are skipped, except in CI (ATTENT_REQUIRE_DOVECOT=1), where they fail.
mail-deps:
	@test -x /usr/sbin/dovecot -a -x /usr/lib/dovecot/imap || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; } || echo "warning: Dovecot could not be installed; the IMAP tests will be skipped"

# Refresh the catalogs after changing UI text; then translate the new entries in the .po files.
# The keywords: the brief's fold.t, i18n.gettext/plural (language first), labels with a context (NC_),
# the error classes' English templates (core/errors.py) and the coach engine's verdict reasons (verdict:4);
# tests/unit/test_i18n.py uses the same.
ERRORS_WITH_TEMPLATE = AttentError Invalid Unauthenticated Forbidden NotFound Conflict TooLarge RateLimited UnsupportedMediaType FieldError SsoRefused
BABEL_KEYWORDS = -k t -k gettext:2 -k plural:2,3 -k NC_:1c,2 -k BadValue -k Undeliverable -k kind -k verdict:4 $(foreach e,$(ERRORS_WITH_TEMPLATE),-k $(e):2)
messages: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --project=Attent -o src/attent/locales/messages.pot .
	$(BIN)/pybabel update -i src/attent/locales/messages.pot -d src/attent/locales -D messages --no-wrap
	rm src/attent/locales/messages.pot

# Benchmarks (see bench/README.md): load 100,000 cases into PostgreSQL database attent_bench, then measure.
BENCH_URL ?= postgresql://postgres@127.0.0.1:5432/attent_bench
bench-load: install
	$(BIN)/python -m bench.loader --url $(BENCH_URL) --cases 100000

bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.api_latency --url $(BENCH_URL)
	$(BIN)/python -m bench.contacts_throughput --url $(BENCH_URL)

# The promise keeper (issue 3): 1,000,000 open promises in its own database, created and dropped here.
BENCH_PROMISES_URL ?= postgresql://postgres@127.0.0.1:5432/attent_bench_promises
bench-promises: install
	$(BIN)/python -m bench.promise_keeper --url $(BENCH_PROMISES_URL)

# Signals and rules (issue 6): API intake and worker evaluation with 200 rules, in its own database.
BENCH_SIGNALS_URL ?= postgresql://postgres@127.0.0.1:5432/attent_bench_signals
bench-signals: install
	$(BIN)/python -m bench.signals --url $(BENCH_SIGNALS_URL)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
