# The README's commands. Each sets up what it needs: a tools venv with uv, then the project venv.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
BIN := .venv/bin

.PHONY: up test lint typecheck unit install clean-data config-docs bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --locked --all-packages --python 3.11

## Start Lateral in embedded mode on http://127.0.0.1:8000 with synthetic demo data.
up: install
	$(BIN)/lateral up

## Run everything CI runs: lint, types, generated docs check, and every test on real engines.
test: install
	scripts/run-tests.sh

config-docs: install
	$(BIN)/lateral config-docs

bench: install
	$(BIN)/python bench/pipeline_throughput.py

clean-data:
	rm -rf data
