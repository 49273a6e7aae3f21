# The two commands a newcomer needs: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
# `make run` serves in debug mode on this machine only; the database is DATABASE_URL's, or the
# embedded SQLite file when it is unset.
RUN_ENV := DEBUG=1

.PHONY: run serve test lint install install-test assets benchmark loadtest screenshots clean

# Test processes: pytest-xdist spreads the suite over the machine's cores.
TEST_WORKERS ?= auto

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(TEST_INSTALLED): pyproject.toml $(INSTALLED)
	$(PIP) install -e '.[test]'
	touch $@

install: $(INSTALLED) assets

# Front-end assets come from npm at the versions package-lock.json locks (`npm ci`), never from a
# CDN: GOV.UK Frontend's Sass compiled with the council's settings (static/scss/govuk.scss, a
# system font, no GDS Transport) and its JavaScript and images, into static/dist/ (not in git).
DIST := static/dist
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DIST)/govuk.css: static/scss/govuk.scss node_modules/.package-lock.json
	mkdir -p $(DIST)
	npx sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps $< $@
	rm -rf $(DIST)/assets
	cp -R node_modules/govuk-frontend/dist/govuk/assets $(DIST)/assets
	rm -rf $(DIST)/assets/fonts
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(DIST)/govuk-frontend.min.js

assets: $(DIST)/govuk.css

install-test: $(TEST_INSTALLED)

# The task worker (`manage.py db_worker`: emails, report PDFs) runs beside the web server;
# config/together.py stops both on Ctrl-C, or both when either one stops.
run: $(INSTALLED) assets
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python -m config.together \
		-- $(BIN)/python manage.py runserver 127.0.0.1:8000 \
		-- $(BIN)/python manage.py db_worker

# `make serve` runs the production server: DEBUG off, so SECRET_KEY and ALLOWED_HOSTS must be set
# in the environment (the settings refuse to start without SECRET_KEY). gunicorn's own settings
# (address, workers) are read from the environment by config/gunicorn.py. The task worker runs
# beside gunicorn, as under `make run`. See the README's "Running in production".
SERVE_ENV := DEBUG=0
serve: $(INSTALLED) assets
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(SERVE_ENV) $(BIN)/python -m config.together \
		-- $(BIN)/gunicorn -c config/gunicorn.py config.wsgi \
		-- $(BIN)/python manage.py db_worker

test: $(TEST_INSTALLED) assets lint
	$(BIN)/python manage.py check --settings=config.settings_test
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# The layers contract (pyproject.toml) keeps the apps depending one way; ruff lints and checks
# the formatting (`ruff format .` mends it).
lint: $(TEST_INSTALLED)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks run on a scratch database (never db.sqlite3); set BENCH_DATABASE_URL to use
# PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/bench. Figures: docs/PERFORMANCE.md.
BENCH_DATABASE_URL ?= sqlite:////tmp/casefile-benchmark.sqlite3
BENCH_ENV := DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL)

benchmark: $(TEST_INSTALLED)
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_import
	$(BENCH_ENV) $(BIN)/python manage.py benchmark_report

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules $(DIST) build/screenshots

# The load test (issue 12; figures in docs/PERFORMANCE.md): 20 simulated users for 60 s against
# gunicorn with production settings, on loopback only, on a scratch SQLite file and a scratch
# PostgreSQL database (LOADTEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/loadtest),
# which it drops and makes again. LOADTEST_DATABASES=sqlite (or postgres) runs one of them.
loadtest: $(TEST_INSTALLED)
	$(BIN)/python -m loadtest.run

# Screenshots for a reviewer (issue 13): the main pages of every role at 1280 and 320 pixels
# wide and two pages of the board paper PDF, as PNG images in build/screenshots/ (SCREENSHOT_DIR),
# from the demo data in a scratch SQLite file under /tmp, with the system Chromium.
screenshots: $(TEST_INSTALLED) assets
	$(BIN)/python -m tests.screenshots
