#!/usr/bin/env bash
# The compiled core under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Builds cyjwt with clang -fsanitize=address,undefined,fuzzer-no-link
# (-fno-sanitize-recover=undefined: any UB report is fatal) into its own
# venv, .venv-asan (or $CYJWT_ASAN_VENV), through setup.py with CC/CFLAGS/
# LDFLAGS in the environment (scripts/fuzz.py builds it), then runs, with
# atheris' ASan+UBSan+libFuzzer runtime preloaded, PYTHONMALLOC=malloc (so
# that ASan sees every object allocation) and halt_on_error:
#   1. the test suite on the compiled core (without the conformance run);
#   2. every fuzz target for a few seconds (scripts/fuzz.py --ci).
#
#   scripts/sanitize.sh          the whole suite, 6 s per fuzz target
#   scripts/sanitize.sh --ci     the core, fast-path, differential, RSA-verify and
#                                stress tests, 4 s per fuzz target (CI)
# Extra arguments go to pytest.  Needs clang (installed with apt-get when
# missing and running as root).  See docs/safety.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ci=0
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
fi
venv="${CYJWT_ASAN_VENV:-$root/.venv-asan}"
python="${PYTHON:-python3}"

if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing clang (apt-get) =="
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  else
    echo "clang is needed: apt-get install clang (or set FUZZ_CC)" >&2
    exit 1
  fi
fi

fuzz=("$python" scripts/fuzz.py --sanitize --venv "$venv")
echo "== building the ASan+UBSan core into $venv =="
"${fuzz[@]}" --build-only

if [ "$ci" = 1 ]; then
  tests=(tests/test_core.py tests/test_fastpath.py tests/test_differential.py
         tests/test_stress.py tests/test_rsa_verify.py)
  seconds=4
else
  tests=(tests)
  seconds=6
fi
echo "== tests under ASan+UBSan: ${tests[*]} =="
"${fuzz[@]}" --exec -- env CYJWT_EXPECT_IMPLEMENTATION=cython \
  python -c 'import cyjwt, cyjwt._core_c as c, sys; assert cyjwt.IMPLEMENTATION == "cython"; assert sys.prefix in c.__file__, c.__file__; print("core under test:", c.__file__)'
"${fuzz[@]}" --exec -- env CYJWT_EXPECT_IMPLEMENTATION=cython \
  python -m pytest "${tests[@]}" -q -p no:cacheprovider -m "not conformance" "$@"

echo "== fuzz targets under ASan+UBSan, ${seconds} s each =="
"${fuzz[@]}" --ci --time "$seconds"
echo "sanitizers: clean"
