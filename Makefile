# Campaign Desk. `make demo` sets up and serves the demo; `make test` runs the whole suite.
# Both are idempotent: each step reruns only when its inputs changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

# command:package pairs for scripts/system-packages.sh
# The one CJK TrueType font of the project: drafted reports (.docx styles), their charts
# (matplotlib) and LibreOffice's PDF conversion all use it.
SYSTEM_BASE := python3:python3 npm:npm node:nodejs msgfmt:gettext pdftotext:poppler-utils \
	/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf:fonts-droid-fallback
# The browser tests drive Debian's Chromium (headless); pages name the project's CJK font
# first, so screenshots use it too.
# LibreOffice (headless) converts a drafted summary report to PDF in the documents tests,
# and issued briefings and bulletins (.docx and .xlsx) in the reporting tests; Calc has no
# command of its own, so its library marks it installed.
SYSTEM_TEST := chromium:chromium \
	libreoffice:libreoffice-writer-nogui \
	/usr/lib/libreoffice/program/libsclo.so:libreoffice-calc-nogui

.PHONY: demo test setup serve bench lint format lock clean system-base

setup: system-base $(VENV)/.installed node_modules/.installed .stamp-locale

system-base:
	@scripts/system-packages.sh $(SYSTEM_BASE)
	@scripts/check-python.sh $(PYTHON)

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.stamp-locale: $(VENV)/.installed $(wildcard src/campaigndesk/locale/*/LC_MESSAGES/*.po)
	$(BIN)/campaigndesk compilemessages --verbosity 0 --ignore=.venv --ignore=node_modules
	touch $@

demo: setup
	$(BIN)/campaigndesk migrate --noinput
	$(BIN)/campaigndesk collectstatic --noinput --verbosity 0
	$(BIN)/campaigndesk demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/campaigndesk runserver 127.0.0.1:$(PORT) --noreload

serve: setup
	$(BIN)/campaigndesk runserver 127.0.0.1:$(PORT)

test: setup
	@scripts/system-packages.sh $(SYSTEM_TEST)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Benchmarks run on their own database (never the demo's): SQLite in data/ by default,
# or BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/campaigndesk_bench, created
# when missing). BENCH_ARGS passes options, e.g. BENCH_ARGS="--scale 0.02 --only ledger".
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/data/bench.sqlite3
BENCH_ARGS ?=
bench: setup
	$(BIN)/python scripts/create-database.py "$(BENCH_DATABASE_URL)"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/campaigndesk migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/campaigndesk bench $(BENCH_ARGS)

# Re-pin the Python dependencies after changing pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^campaigndesk' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) node_modules .stamp-* data/staticfiles
