# Shortcuts over scripts/ (CONTRIBUTING.md says what each step is for).
# `make help` lists the targets.  The scripts create and update the venv
# (scripts/_venv.sh: .venv, or $CYJWT_VENV) themselves; a Makefile rather
# than nox because they already do, and make needs nothing installed.
# ARGS="..." passes extra arguments, e.g. make test ARGS="-x -k decode".

SHELL := /bin/bash
ARGS ?=
# The test paths of test-compiled and test-pure, e.g. TESTS=tests/test_core.py.
TESTS ?= tests
# Run a command inside the project's venv (made or updated first).
IN_VENV = source scripts/_venv.sh &&

.DEFAULT_GOAL := help
.PHONY: help venv test test-compiled test-pure bench bench-quick lint typecheck \
	format annotate wheel-check fuzz sanitize ci clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: ## create or update .venv: cyjwt (compiled core) and the test, bench, lint groups
	@$(IN_VENV) python -m cyjwt.help >/dev/null && echo "venv ready: $$VIRTUAL_ENV"

test: ## the whole suite, compiled core then pure-Python twin (scripts/test.sh)
	bash scripts/test.sh -q $(ARGS)

test-compiled: ## the suite on the compiled core only
	$(IN_VENV) CYJWT_EXPECT_IMPLEMENTATION=cython python -m pytest $(TESTS) -q $(ARGS)

test-pure: ## the suite on the pure-Python twin only (CYJWT_NO_EXTENSIONS=1)
	$(IN_VENV) CYJWT_NO_EXTENSIONS=1 CYJWT_EXPECT_IMPLEMENTATION=python \
		python -m pytest $(TESTS) -q -m "not conformance" $(ARGS)

bench: ## the benchmark comparison, table and chart in bench-out/ (scripts/bench.sh)
	bash scripts/bench.sh $(ARGS)

bench-quick: ## the same, short (under a minute)
	bash scripts/bench.sh --quick $(ARGS)

lint: ## every pre-commit hook over the whole tree (what CI runs)
	$(IN_VENV) pre-commit run --all-files $(ARGS)

typecheck: ## mypy --strict over src, tests, benchmarks, scripts (the pre-commit hook)
	$(IN_VENV) pre-commit run mypy --all-files $(ARGS)

format: ## ruff format the tree (scripts/format.sh)
	bash scripts/format.sh $(ARGS)

annotate: ## cython -a: build/annotate/src/cyjwt/_core_c.html (scripts/annotate.py)
	$(IN_VENV) python -m pip install -q --group profile && python scripts/annotate.py

wheel-check: ## build, repair and test the wheel and sdist locally (scripts/check_wheel.py)
	python3 scripts/check_wheel.py $(ARGS)

fuzz: ## run the fuzzers (scripts/fuzz.sh, when there is one)
	@if [ -f scripts/fuzz.sh ]; then bash scripts/fuzz.sh $(ARGS); \
	else echo "no scripts/fuzz.sh yet: nothing fuzzed" >&2; exit 2; fi

sanitize: ## the suite under ASan/UBSan (scripts/sanitize.sh, when there is one)
	@if [ -f scripts/sanitize.sh ]; then bash scripts/sanitize.sh $(ARGS); \
	else echo "no scripts/sanitize.sh yet: nothing checked" >&2; exit 2; fi

ci: ## what CI runs, in a fresh venv (.ci/run)
	bash .ci/run

clean: ## remove build outputs (keeps .venv)
	rm -rf build dist wheelhouse bench-out src/*.egg-info
	rm -f src/cyjwt/_core_c.c src/cyjwt/_core_c.html src/cyjwt/*.so src/cyjwt/*.pyd
