# Everything a newcomer needs: `make run` (the demo) and `make test` (the checks CI runs).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SKRANKE_DATABASE_URL ?= sqlite:///var/skranke.db
export SKRANKE_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install browsers run test lint typecheck pytest bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browsers:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	  else \
	    echo "Browser tests need Chromium: sudo apt-get install chromium fonts-dejavu-core"; \
	  fi; \
	fi

run: install
	mkdir -p var
	$(BIN)/skranke migrate
	$(BIN)/skranke demo --no-printer
	@echo
	@echo "  Server:         http://127.0.0.1:$(PORT)/api/v1/branches"
	@echo "  Queue:          http://127.0.0.1:$(PORT)/api/v1/branches/hovedbiblioteket/queue"
	@echo "  API document:   http://127.0.0.1:$(PORT)/api/v1/openapi.json"
	@echo
	$(BIN)/skranke serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check skranke tests bench
	$(BIN)/ruff format --check skranke tests bench

typecheck: install
	$(BIN)/mypy --strict skranke

pytest: install browsers
	$(BIN)/pytest

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/issue_tickets.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
