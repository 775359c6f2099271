# Salles Ouvertes — the README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
export PYTHONPATH := $(CURDIR)

.PHONY: run test lint format translations messages js-deps bench deploy-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Compile every message catalog (the shared one and each area's).
translations: $(VENV)/.runtime
	@for dir in translations booking/*/translations; do \
	  if ls $$dir/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	    $(BIN)/pybabel -q compile -d $$dir || exit 1; \
	  fi; \
	done

# Extract the strings of one area into its catalog: make messages AREA=bookings
messages: $(VENV)/.dev
	@test -n "$(AREA)" || (echo "usage: make messages AREA=<area or core>" && exit 2)
	./scripts/messages.sh "$(AREA)"

# JavaScript used by the tests only (axe-core, ical.js); skipped where npm is absent.
js-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then \
	    (cd tests/js && npm ci --silent --no-audit --no-fund) && touch tests/js/node_modules; \
	  fi; \
	else echo "npm not found: the ical.js and axe-core tests will be skipped"; fi

run: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev translations js-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev translations
	./bench/run.sh

# nginx in front of two gunicorn instances on PostgreSQL and Redis (deploy/test/scale_out.py).
deploy-test: $(VENV)/.dev translations
	$(BIN)/python deploy/test/scale_out.py

clean:
	rm -rf $(VENV) tests/js/node_modules .pytest_cache .ruff_cache
