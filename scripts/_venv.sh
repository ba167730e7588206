# Sourced by scripts/test.sh and scripts/bench.sh: make (once) and enter the
# project's virtual environment, with cyjwt installed from this checkout and
# the test, bench and lint dependency groups of pyproject.toml (PEP 735;
# `pip install --group` needs pip >= 25.1).
#   CYJWT_VENV   where the venv lives (default: .venv in the checkout)
#   PYTHON       the interpreter to build it with (default: python3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CYJWT_VENV:-$root/.venv}"
stamp="$venv/.cyjwt-installed"
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
# Reinstall when the build inputs changed since the last install.
inputs="$(python -c 'import hashlib, sys; print(hashlib.sha256(b"".join(open(p, "rb").read() for p in sys.argv[1:])).hexdigest()[:16])' \
  "$root/pyproject.toml" "$root/setup.py" "$root"/src/cyjwt/*.pyx "$root"/src/cyjwt/*.pxi "$root"/src/cyjwt/*.pxd)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$inputs" ]; then
  python -m pip install -q --disable-pip-version-check -U "pip>=25.1"
  # The compiled core is required here: a silent pure-Python fallback
  # would make every speed number and the "cython" test runs meaningless.
  CYJWT_REQUIRE_EXTENSIONS="${CYJWT_REQUIRE_EXTENSIONS:-1}" \
    python -m pip install -q --disable-pip-version-check -e "$root" \
      --group "$root/pyproject.toml:test" --group "$root/pyproject.toml:bench" \
      --group "$root/pyproject.toml:lint"
  echo "$inputs" > "$stamp"
fi
cd "$root"
