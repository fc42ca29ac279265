# Two commands matter: `make run` (serve the demo site) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format check-deploy bench drills screenshots venv translations lock clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# The W3C HTML checker that tests/html runs: a Java program from npm, at the
# version its lock file names.
VNU_JAR := tests/html/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): tests/html/package.json tests/html/package-lock.json
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless)
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	npm ci --prefix tests/html --ignore-scripts --no-audit --no-fund --silent
	touch $@

venv: $(BIN)/.installed $(VNU_JAR)

# The .mo files Django reads, from the catalogs in locale/ (not committed;
# compiled with polib from the venv, no gettext tools needed).
translations: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py compile_translations

run: venv translations
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo_content
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The test-only secrets come from tests/environment.py, so plain pytest works too
# (it compiles the translations itself, in tests/conftest.py).
test: venv translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production settings as a deployer sets them (the .test domain is reserved: no
# real mail can go there). Any warning fails.
check-deploy: venv translations
	DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	DJANGO_ALLOWED_HOSTS=www.harbor-hearth.test SITE_URL=https://www.harbor-hearth.test \
	CACHE_URL=redis://127.0.0.1:6379/0 TRUSTED_PROXY_COUNT=1 ADMIN_URL=staff-7f3a/ \
	EMAIL_URL=smtp+tls://mailer:secret@mail.harbor-hearth.test:587 \
	PRACTICE_NOTIFY_EMAIL=office@harbor-hearth.test \
	DEFAULT_FROM_EMAIL='Harbor & Hearth <no-reply@harbor-hearth.test>' \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Benchmarks and drills: PostgreSQL and Redis on 127.0.0.1, wrk for bench, nginx for the
# proxy drill and BENCH_PROXY=1 (see bench/README.md).
bench: venv
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || true
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/search_quality.py

drills: venv
	$(BIN)/python bench/drills/run_all.py

# PNGs of the main pages at phone and desktop widths into screenshots/;
# `make screenshots DOCS=1` also refreshes the README's pictures in docs/.
screenshots: venv
	$(BIN)/python docs/make_screenshots.py $(if $(DOCS),--docs)

lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet -e '.[dev]'
	( echo "# Exact versions of every package the project installs (make rebuilds .venv from this)."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(VENV)-lock/bin/pip freeze --exclude-editable ) > requirements.lock
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
