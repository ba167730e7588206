"""Pure-Python twin of the compiled core (:mod:`cyjwt._core_c`).

Every public name here has the same signature and the same behaviour,
exceptions included, as its compiled namesake; :mod:`cyjwt._core` picks
one of the two.  Keep them in step: the tests run the same cases against
both, and ``tests/test_core_exports.py`` checks that the names and
signatures agree with the compiled module and its stub.  The code lives
in four parts: :mod:`cyjwt._core_py_codec` (base64url, splitting, HMAC,
JSON), :mod:`cyjwt._core_py_wiring` (the wiring, caches and eligibility),
:mod:`cyjwt._core_py_claims` (the one-call decode's claim checks) and
:mod:`cyjwt._core_py_jwt` (the one-call paths); each compiled topic file
names the part it twins.
"""

from __future__ import annotations

from typing import TypeVar

from ._core_py_codec import (
    b64url_decode_segment,
    b64url_encode,
    hmac_sign,
    hmac_verify,
    json_dumps,
    json_loads,
    split_token,
)
from ._core_py_jwt import (
    ClaimPolicy,
    check_claims,
    claim_policy,
    jws_header,
    jwt_decode,
    jwt_decode_policy,
    jwt_encode,
)
from ._core_py_wiring import clear_caches, fast_setup

__all__ = [
    "IMPLEMENTATION",
    "ClaimPolicy",
    "b64url_decode_segment",
    "b64url_encode",
    "check_claims",
    "claim_policy",
    "clear_caches",
    "fast_entry",
    "fast_setup",
    "hmac_sign",
    "hmac_verify",
    "json_dumps",
    "json_loads",
    "jwt_decode",
    "jwt_decode_policy",
    "jwt_encode",
    "jws_header",
    "split_token",
]

IMPLEMENTATION = "python"

_Method = TypeVar("_Method")


def fast_entry(method: _Method) -> _Method:
    """The module-level function for *method* (a bound method of the global
    PyJWT or PyJWS).  The compiled core returns a C function that takes the
    one-call path without a Python frame (``_core_entry.pxi``); here the
    method itself already is the fastest form."""
    return method
