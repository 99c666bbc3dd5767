# Two commands matter: `make run` and `make test`. Both build the venv from
# constraints.txt first (exact pins, no download URLs), so a fresh clone with
# only Python 3.11 and make is enough.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PIP_FLAGS ?= --quiet --disable-pip-version-check

.PHONY: install run screenshots test fuzz lint bench bench-http bench-sweep bench-home bench-local migrate manifest sandbox clean

# The install is silent on stdout (progress goes to stderr), and so are the targets that
# print something a person redirects: `make manifest > manifest.json` must be JSON only,
# even on a fresh clone where it installs first.
$(STAMP): pyproject.toml constraints.txt
	@echo "Installing the pinned dependencies into $(VENV) ..." >&2
	@$(PYTHON) -m venv $(VENV) >&2
	@$(BIN)/python -m pip install $(PIP_FLAGS) -c constraints.txt -e '.[dev]' >&2
	@touch $(STAMP)

install: $(STAMP)

# With no Slack credentials in the environment or .env, this starts the local workspace:
# the bot against the built-in sandbox, with a page to use it in a browser.
run: install
	$(BIN)/delegate-bot run

# The browser tests, writing the README tour's pictures into docs/screenshots/.
screenshots: install
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q

test: install
	$(BIN)/python -m pytest

# A longer fuzz campaign than `make test` runs, with known failures shown (not xfailed)
# and the counts printed at the end. FUZZ_EXAMPLES is the total number of examples.
FUZZ_EXAMPLES ?= 2000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -m fuzz --runxfail -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: bench-http bench-sweep bench-home bench-local

bench-http: install
	$(BIN)/python -m tests.bench.bench_http

bench-sweep: install
	$(BIN)/python -m tests.bench.bench_sweep

bench-home: install
	$(BIN)/python -m tests.bench.bench_home

bench-local: install
	$(BIN)/python -m tests.bench.bench_local

migrate: install
	$(BIN)/delegate-bot migrate

# URL=https://your-host prints the HTTP-mode manifest; without it, Socket Mode.
manifest: install
	@$(BIN)/delegate-bot manifest $(if $(URL),--url $(URL))

sandbox: install
	@$(BIN)/delegate-bot sandbox

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
