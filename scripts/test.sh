#!/usr/bin/env bash
# The whole test suite: once with the compiled core, once more with the
# pure-Python twin (CYJWT_NO_EXTENSIONS=1).  Extra arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
export PYTHONDONTWRITEBYTECODE=1
echo "== cyjwt test suite, compiled core =="
CYJWT_EXPECT_IMPLEMENTATION=cython python -m pytest tests "$@"
echo "== cyjwt test suite, pure-Python twin (CYJWT_NO_EXTENSIONS=1) =="
# The conformance tests already ran PyJWT's suite for both implementations.
CYJWT_NO_EXTENSIONS=1 CYJWT_EXPECT_IMPLEMENTATION=python python -m pytest tests -m "not conformance" "$@"
