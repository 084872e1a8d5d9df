# Herald: `make run` runs the system with a demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint faults bench schemas clean

install: $(STAMP) $(BIN)/promtool

# promtool checks the metrics output and the alert rules in the tests; unpacked from the
# Debian package `prometheus` (see deploy/README.md). Missing promtool makes those tests fail.
$(BIN)/promtool: deploy/install-promtool.sh | $(STAMP)
	@sh deploy/install-promtool.sh $(VENV)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/herald up --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -q

faults: install
	$(BIN)/python -m pytest -q -s tests/faults

bench: install
	$(BIN)/python -m bench

schemas: install
	$(BIN)/python -m schemas.export

clean:
	rm -rf $(VENV) .herald-data .pytest_cache .mypy_cache .ruff_cache
