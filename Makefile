# OpenCPI: `make run` serves the demo; `make test` runs the whole suite. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Two processes: this machine (and CI's) has two cores.
PYTEST_ARGS ?= -n 2 --dist loadgroup

.PHONY: install run test lint typecheck browser bench soak soak-ci messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# `make run` serves with the production stack (gunicorn, DEBUG off, whitenoise) on 127.0.0.1.
run: export DJANGO_SETTINGS_MODULE = procurement.settings.embedded
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_cpv --if-present
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py serve $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; no browser is ever downloaded by a test tool.
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=procurement.settings.production DJANGO_SECRET_KEY=lint-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
		DJANGO_ALLOWED_HOSTS=localhost $(BIN)/python manage.py check --deploy --fail-level WARNING

typecheck: install
	$(BIN)/mypy procurement workflows tenders documents publication

# The benchmark, never part of `make test` or CI: it drops and recreates the PostgreSQL database
# named by DATABASE_URL (its name must contain "bench") and uses Redis db 12 for the deadline storm.
bench: install
	@test -n "$(DATABASE_URL)" || { echo "make bench needs DATABASE_URL=postgres://postgres@127.0.0.1:5432/opencpi_bench"; exit 2; }
	@command -v wrk >/dev/null || { echo "installing wrk (the load generator) from Debian"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -q wrk >/dev/null; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The soak (tests/soak/soak.py): 20 API users write for SOAK_MINUTES on `manage.py serve` over the
# embedded defaults, in a temporary folder; the worker is killed once half-way. About 40 minutes.
SOAK_MINUTES ?= 30
soak: install
	$(BIN)/python tests/soak/soak.py --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

# The shortened soak as tests (3 minutes each): embedded, and PostgreSQL + Redis when
# DATABASE_URL and CELERY_BROKER_URL name them. Both at once (-n 2): their users mostly wait
# between requests, so side by side each served 32 requests/s (34 one after the other), its
# worker back after 4 s (limit 30 s), in 3 min 49 s together instead of 7 min 12 s.
soak-ci: install
	OPENCPI_SOAK=1 $(BIN)/python -m pytest -p no:cacheprovider -m soak tests/soak -v -n 2

messages: install
	$(BIN)/python manage.py makemessages -l es -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var db.sqlite3 db.sqlite3-* .pytest_cache
