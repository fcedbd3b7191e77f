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

# Numba keys a cached kernel on its own file only, so a kernel that inlines a helper from another
# module (the losses) would keep its old code after that module changed: in a checkout, any change
# to a module with kernels clears every cached kernel.
KERNEL_SOURCES := $(shell grep -rl --include='*.py' njit glassbox)

$(VENV)/.kernels: $(KERNEL_SOURCES) | $(BIN)/python
	find glassbox -name '*.nbi' -delete -o -name '*.nbc' -delete
	touch $@

demo: $(VENV)/.installed $(VENV)/.kernels
	$(BIN)/python case_studies/pneumonia/pneumonia.py

test: $(VENV)/.installed-test $(VENV)/.kernels
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test $(VENV)/.kernels
	$(BIN)/python -m benchmarks.bench_vs_interpret --output benchmarks/results/bench_vs_interpret.md

clean:
	rm -rf $(VENV) case_studies/*/output .pytest_cache
