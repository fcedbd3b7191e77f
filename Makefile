# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make demo   virtual environment, install, run the pneumonia case study end to end
#   make test   virtual environment, install with test extras, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/python case_studies/pneumonia/pneumonia.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.bench_vs_interpret --output benchmarks/results/bench_vs_interpret.md

clean:
	rm -rf $(VENV) case_studies/*/output .pytest_cache
