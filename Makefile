# Two commands on a fresh Debian machine (Python 3.11, root):
#   make workbook   set everything up and build the example workbook
#   make test       run the whole test suite
# Both are safe and quick to run again: each step is skipped when already done.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: WeasyPrint's text stack (harfbuzz-subset makes font embedding several times faster),
# poppler for the tests' PDF checks, fonts covering Latin, Greek, Cyrillic, Arabic and Chinese, and
# chromium for the browser tests (tests/test_browser.py drives it with Playwright; no browser is downloaded).
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils \
	fonts-dejavu-core fonts-noto-ui-core fonts-wqy-microhei chromium
SYSTEM_STAMP := $(VENV)/.system-packages
INSTALL_STAMP := $(VENV)/.installed
SETUP_LOG := $(VENV)/setup.log

.PHONY: workbook test quick-test lint setup system-packages constraints benchmark clean

workbook: setup
	$(BIN)/workbook build data/example.yaml -o out

# Over every core, each test file whole on one worker (its module fixtures build once), the longest files
# first (LONGEST_FIRST in tests/conftest.py; --no-loadscope-reorder keeps that order).
PARALLEL := -n auto --dist loadfile --no-loadscope-reorder

# The whole suite, as CI runs it: the quick tests and the slow end-to-end ones, spread over every core.
test: setup lint
	$(BIN)/pytest $(PARALLEL)

# The development loop: everything but the slow end-to-end builds.
quick-test: setup
	$(BIN)/pytest $(PARALLEL) -m "not slow"

# Lint and types (part of make test): ruff's rules and formatting, and mypy --strict on generator/.
lint: setup
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

# Then our modules' bytecode, written here because Python writes none where PYTHONDONTWRITEBYTECODE is set (as on
# these machines and CI): every command would compile generator/ again, 0.1 s of each process. Quick when up to date.
setup: $(SYSTEM_STAMP) $(INSTALL_STAMP)
	@$(BIN)/python -m compileall -q generator >/dev/null

$(SYSTEM_STAMP): Makefile
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	mkdir -p $(VENV); \
	if [ -n "$$missing" ]; then \
		echo "==> Installing Debian packages:$$missing (output in $(SETUP_LOG))"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		{ $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; } \
			>$(SETUP_LOG) 2>&1 || { cat $(SETUP_LOG); echo "Installing Debian packages failed (above)."; exit 1; }; \
	fi
	@touch $@

$(INSTALL_STAMP): pyproject.toml constraints.txt $(SYSTEM_STAMP)
	@test -x $(BIN)/python || { echo "==> Creating the virtual environment in $(VENV)/"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing workbook and its Python packages (pinned in constraints.txt; a minute the first time)"
	@$(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt -e ".[test]" >$(SETUP_LOG) 2>&1 \
		|| { cat $(SETUP_LOG); echo "Installing Python packages failed (above)."; exit 1; }
	@echo "    $$(grep -c '==' constraints.txt) packages in place"
	@touch $@

# After changing dependencies in pyproject.toml: install them, then record the exact versions.
constraints: $(SYSTEM_STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[test]"
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^workbook=='; } > constraints.new
	mv constraints.new constraints.txt

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf out .pytest_cache
