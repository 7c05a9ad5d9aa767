# The two commands of the quick start: `make run` and `make test`.
# Both create .venv if it is missing and install only when pyproject.toml is
# newer than the last install, so an installed checkout starts offline. The
# install goes through uv: 40 s on a fresh machine where pip took 1 min 45 s.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test bench retention lint format evals

# deploy/install.sh is the one install: the Dockerfile and tests/test_install.py run it too.
$(STAMP): pyproject.toml deploy/install.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	sh deploy/install.sh $(BIN)/python piper,dev --editable
	touch $(STAMP)

run: $(STAMP)
	@echo "Starting the bot: open http://localhost:7860 once it says it is ready."
	$(BIN)/python bot.py $(ARGS)

# Three workers on two cores (most of the suite waits on real-time audio), a file's tests on
# one of them, the longest files first (tests/conftest.py).
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 3 --dist loadfile --no-loadscope-reorder

# QA's scripted eval conversations: offline, in audio, one bot per scenario; writes
# evals/reports/<timestamp>/ (docs/evals.md). E.g. ARGS="--repeat 3", ARGS="--modality text".
evals: $(STAMP)
	$(BIN)/python -m evals.run $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.first_clause
	$(BIN)/python -m bench.interruptions
	$(BIN)/python -m bench.context
	$(BIN)/python -m bench.failover
	$(BIN)/python -m bench.routing
	$(BIN)/python -m bench.robustness
	$(BIN)/python -m bench.task_success
	$(BIN)/python -m bench.load

# Delete recorded calls older than TRANSCRIPT_RETENTION_DAYS (run it daily, e.g. from cron).
retention: $(STAMP)
	$(BIN)/python -m conversation.retention

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
