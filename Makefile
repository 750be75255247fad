# airgrade: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
CHROMIUM := /usr/bin/chromium
# Debian packages the platform needs: chromium for page tests, CJK fonts so pages and PDFs render Chinese.
APT_PACKAGES := chromium fonts-noto-cjk
# The suite runs in one pytest-xdist process per core, each on its own test database (docs/adr/0010-parallel-test-suite.md);
# `make test PARALLEL=` runs it in one process.
PARALLEL ?= -n auto --dist worksteal
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup system-packages run demo serve test test-core test-postgres lint format bench messages clean

setup: system-packages
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# Installs only what is missing; needs root (CI and the project machines run as root) or sudo.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run: setup
	$(UV) run airgrade demo
	$(UV) run airgrade serve

demo: setup
	$(UV) run airgrade demo

serve:
	$(UV) run airgrade serve

test: setup
	$(UV) run pytest -q -p no:cacheprovider $(PARALLEL)

# The pure core's tests with pytest-django disabled: a core test that pulls Django in fails (tests/core/conftest.py).
test-core: setup
	$(UV) run pytest -q -p no:cacheprovider -p no:django -W ignore::pytest.PytestConfigWarning tests/core

test-postgres: setup
	AIRGRADE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test $(UV) run pytest -q -p no:cacheprovider $(PARALLEL)

lint: setup
	$(UV) run ruff check src tests benchmarks
	$(UV) run ruff format --check src tests benchmarks
	$(UV) run mypy

format: setup
	$(UV) run ruff format src tests benchmarks
	$(UV) run ruff check --fix src tests benchmarks

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(UV) run python $$b || exit 1; done

# Regenerate the English catalogue after changing translatable text (needs gettext); the .mo is committed.
messages:
	cd src/airgrade/platform && $(CURDIR)/.venv/bin/django-admin makemessages -l en --settings airgrade.platform.settings
	msgfmt --check -o src/airgrade/platform/locale/en/LC_MESSAGES/django.mo src/airgrade/platform/locale/en/LC_MESSAGES/django.po

clean:
	rm -rf var .venv .pytest_cache .mypy_cache .ruff_cache
