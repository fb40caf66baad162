# videobot: the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench lint clean

$(STAMP): pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  base=$$(scripts/find-python.sh) || exit 1; \
	  echo "creating $(VENV) with $$base"; \
	  "$$base" -m venv $(VENV); \
	fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,voice]'
	$(PY) -m pip install -q --no-deps --ignore-requires-python misaki==0.9.4  # Kokoro zh G2P (docs/voice.md)
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/videobot demo

test: $(STAMP) lint
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) -m bench

# mypy reads pyproject.toml: strict for bot.* and adapters.*, the default checks elsewhere
lint: $(STAMP)
	$(VENV)/bin/ruff check app common bot adapters studio tests bench
	$(VENV)/bin/mypy app common bot adapters studio
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
