#!/usr/bin/env bash
# Formats the tree with `ruff format`: the ruff release pinned in
# .pre-commit-config.yaml (whose ruff-format hook checks the same), with the
# settings of [tool.ruff.format] in pyproject.toml.  Python files and the
# Python blocks of the Markdown files are formatted; .pyx files are not
# (cython-lint checks them).  Extra arguments go to `ruff format` instead of
# the default "the whole tree", e.g. `--check`, `--diff` or paths.
source "$(dirname "$0")/_venv.sh"
pin="$(grep -o -m1 'ruff==[0-9][0-9.]*' .pre-commit-config.yaml)"
if [ "$(python -m ruff --version 2>/dev/null)" != "ruff ${pin#ruff==}" ]; then
  python -m pip install -q --disable-pip-version-check "$pin"
fi
python -m ruff format "${@:-.}"
