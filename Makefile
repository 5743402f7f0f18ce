# The README's two commands: `make run` and `make test`. Both set up .venv when it is missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-side test-servers test-servers-slow test-year-ahead lint format bench clean-venv

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# --no-compile: Python compiles what it imports on first use; compiling every file of torch and
# the rest at install took about a minute of CPU, most of it for modules nothing imports.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --no-compile -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qlab demo
	$(BIN)/qlab serve

# Heavy tests of real processes that need no demo Lab. `make test` runs them with the rest;
# .ci/run passes SIDE=beside and runs them in its second pass, beside this one (two cores).
SIDE_TESTS := tests/material/test_crash_recovery.py tests/cli/test_fault_processes.py \
	tests/material/test_bad_inputs.py
SIDE ?=
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --durations=20 $(if $(SIDE),$(addprefix --ignore=,$(SIDE_TESTS)))

# The store and index tests again, on the servers named by QLAB_TEST_DATABASE_URL and
# QLAB_TEST_CHROMA_URL (.ci/run starts PostgreSQL and `chroma run` and sets both). CI runs
# SERVER_TESTS; the kill-and-rerun and bad-file tests on the servers (SERVER_SLOW_TESTS, about
# 100 s more) run with `make test-servers-slow`: CI's 20 minutes do not hold them as well.
SERVER_TESTS := tests/material/test_workspace_ingest.py tests/material/test_uploads.py \
	tests/material/test_server_pair.py tests/core/test_locks.py \
	tests/bench/test_load.py::test_two_app_processes_on_one_server_pair \
	tests/network/test_labs_server_pair.py
SERVER_SLOW_TESTS := tests/material/test_crash_recovery.py tests/material/test_bad_inputs.py
PYTEST_OPTS ?=
test-servers: $(STAMP)
	QLAB_REQUIRE_SERVERS=1 $(BIN)/python -m pytest -q $(PYTEST_OPTS) $(SERVER_TESTS)
test-servers-slow: $(STAMP)
	QLAB_REQUIRE_SERVERS=1 $(BIN)/python -m pytest -q $(PYTEST_OPTS) $(SERVER_SLOW_TESTS)
test-side: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_OPTS) $(SIDE_TESTS)

# The suite with every Python process's clock a year ahead (Debian package faketime), so a test
# that reads the machine's date fails now, not next year. Monotonic time stays true (a faked one
# makes timed lock waits hang); tools/year_ahead patches the sleep libfaketime then breaks. File
# times stay the kernel's (FAKE_UTIME=1: touched files agree with written ones, as in real life),
# and Chromium starts without the preload (tests/ui/chromium.py): it traps on it.
FAKETIME_LIB ?= /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
AHEAD ?= +365d
test-year-ahead: $(STAMP)
	PYTHONPATH=$(CURDIR)/tools/year_ahead LD_PRELOAD=$(FAKETIME_LIB) FAKETIME=$(AHEAD) \
	FAKETIME_DONT_FAKE_MONOTONIC=1 FAKE_UTIME=1 $(BIN)/python -m pytest -q $(PYTEST_OPTS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark, then one table of the headline ratios and goals from this run.
BENCH_SUMMARY := bench-summary.json
bench: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,bench]"
	rm -f $(BENCH_SUMMARY)
	$(BIN)/python bench/ingest.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/redaction.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/scale.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/themes.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/app.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/tensions.py --summary $(BENCH_SUMMARY)
	$(BIN)/python bench/summary.py $(BENCH_SUMMARY)

clean-venv:
	rm -rf $(VENV)
