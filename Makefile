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

# The suite runs on two processes, each taking half of the tests in order (a module's fixtures are
# mostly built once) and then work the other has not reached; the tests that time themselves run
# afterwards, alone, so that the other process's load cannot move them.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n 2 --dist worksteal -m "not timing"
	$(BIN)/python -m pytest -q -m timing

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.bench_vs_interpret --output benchmarks/results/bench_vs_interpret.md

clean:
	rm -rf $(VENV) case_studies/*/output .pytest_cache
