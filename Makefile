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

.PHONY: workbook test setup system-packages benchmark clean

workbook: setup
	$(BIN)/workbook build data/example.yaml -o out

test: setup
	$(BIN)/pytest

setup: $(SYSTEM_STAMP) $(INSTALL_STAMP)

$(SYSTEM_STAMP): Makefile
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

$(INSTALL_STAMP): pyproject.toml $(SYSTEM_STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test]"
	@touch $@

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf out .pytest_cache
