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
	mkdir -p var/tickets var/mail
	$(BIN)/skranke migrate
	@# The demo kiosk prints to a printer emulator and e-mails go to a mail catcher beside the
	@# server; Ctrl-C stops all three.
	@printer_port=$${PRINTER_PORT:-9100}; mail_port=$${MAIL_PORT:-2525}; \
	demo=$$($(BIN)/skranke demo --printer network://127.0.0.1:$$printer_port) || exit 1; \
	echo "$$demo"; \
	token=$$(echo "$$demo" | awk '/Kiosk token:/ {print $$3}'); \
	display=$$(echo "$$demo" | awk '/Display token:/ {print $$3}'); \
	$(BIN)/skranke printer-emulator --port $$printer_port --out var/tickets & emulator=$$!; \
	$(BIN)/skranke mail-catcher --port $$mail_port --out var/mail & catcher=$$!; \
	trap 'kill $$emulator $$catcher 2>/dev/null' EXIT INT TERM; \
	sleep 1; \
	kill -0 $$emulator 2>/dev/null || echo "  The printer emulator did not start: is port $$printer_port taken? Try PRINTER_PORT=9101 make run"; \
	kill -0 $$catcher 2>/dev/null || echo "  The mail catcher did not start: is port $$mail_port taken? Try MAIL_PORT=2526 make run"; \
	echo; \
	echo "  Kiosk:          http://127.0.0.1:$(PORT)/kiosk/kiosk-1#token=$$token"; \
	echo "                  (portrait 1080x1920 or landscape 1920x1080; the token is kept by the page)"; \
	echo "  Printed tickets: $(CURDIR)/var/tickets/ (ticket-N.txt and ticket-N.png)"; \
	echo "  Counter:        http://127.0.0.1:$(PORT)/counter   (log in as staff / demo-staff)"; \
	echo "  Wall display:   http://127.0.0.1:$(PORT)/display/display-1#token=$$display"; \
	echo "  Book a time:    http://127.0.0.1:$(PORT)/book"; \
	echo "  E-mails:        $(CURDIR)/var/mail/ (each confirmation, reminder and cancellation as .eml)"; \
	echo "  Phone ticket:   the QR on each ticket leads to /t/<tracking>"; \
	echo "  Queue:          http://127.0.0.1:$(PORT)/api/v1/branches/hovedbiblioteket/queue"; \
	echo "  API document:   http://127.0.0.1:$(PORT)/api/v1/openapi.json"; \
	echo "  Health:         http://127.0.0.1:$(PORT)/healthz  /readyz  /metrics"; \
	echo; \
	SKRANKE_SMTP_HOST=$${SKRANKE_SMTP_HOST:-127.0.0.1} SKRANKE_SMTP_PORT=$${SKRANKE_SMTP_PORT:-$$mail_port} \
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
