# Set-up and everyday commands. `make run` opens the app, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian/Ubuntu packages Qt needs to start (offscreen for tests, xcb for a real window),
# plus poppler-utils for the PDF checks in the tests and libnss3-tools (certutil) to make
# pdfsig trust a test signing certificate, and the PostgreSQL server the team-mode tests start
# a throwaway cluster of (initdb + pg_ctl, on a free loopback port).
QT_DEBS := libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3
XCB_DEBS := libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 \
	libxcb-shape0 libxkbcommon-x11-0
TEST_DEBS := poppler-utils libnss3-tools postgresql
DEBS := python3-venv $(QT_DEBS) $(XCB_DEBS) $(TEST_DEBS)

.PHONY: run test lint bench sysdeps venv clean

run: venv
	$(BIN)/gpaitracker

test: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n auto

lint: venv
	$(BIN)/ruff check gpaitracker tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: venv
	$(BIN)/python -m benchmarks.run

sysdeps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "Install the equivalents of:$$missing (Qt runtime libraries)"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "GPAI Tracker needs these system packages. Run:"; \
	  echo "  sudo apt-get install -y --no-install-recommends$$missing"; exit 1; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml | sysdeps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
