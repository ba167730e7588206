"""When a call may take the core's one-call fast path.

The fast path (``_core.jwt_decode`` / ``_core.jwt_encode``) reproduces the
general path of :class:`~cyjwt.PyJWT` and :class:`~cyjwt.PyJWS` for
plain calls.  A subclass that overrides any method the general path runs
(``_decode_payload``, ``_validate_claims``, ``_load`` ...) must see its
override called, so such a class never takes the fast path: this module
says which classes qualify, and the core remembers the answer per class.

Caveat: patching one of those methods on the base classes themselves
after the first call is not noticed until :func:`cyjwt._core.clear_caches`
is called; subclass instead, or call it after patching.
"""

from __future__ import annotations

import hashlib
from calendar import timegm
from datetime import datetime, timedelta

from . import _core, api_jws, api_jwt
from .algorithms import HMACAlgorithm
from .api_jwk import PyJWK

_JWT_METHODS = (
    "encode",
    "decode",
    "decode_complete",
    "_encode_payload",
    "_decode_payload",
    "_merge_options",
    "_validate_claims",
    "_validate_required_claims",
    "_validate_sub",
    "_validate_jti",
    "_validate_iat",
    "_validate_nbf",
    "_validate_exp",
    "_validate_aud",
    "_validate_iss",
)
_JWS_METHODS = (
    "encode",
    "decode_complete",
    "get_algorithm_by_name",
    "_decode_base64url_segment",
    "_load",
    "_verify_signature",
    "_validate_headers",
    "_validate_kid",
    "_validate_crit",
    "header_typ",
)


def _same_as(cls: type, base: type, names: tuple[str, ...]) -> bool:
    return all(
        getattr(cls, name, None) is getattr(base, name) for name in names
    )


def eligible(cls: type) -> bool:
    """True when instances of *cls* behave exactly as the base class's do."""
    if issubclass(cls, api_jwt.PyJWT):
        return _same_as(cls, api_jwt.PyJWT, _JWT_METHODS)
    if issubclass(cls, api_jws.PyJWS):
        return _same_as(cls, api_jws.PyJWS, _JWS_METHODS)
    return False


def setup() -> None:
    """Give the core what it checks against; run once at import."""
    _core.fast_setup(
        PyJWK,
        HMACAlgorithm,
        {hashlib.sha256: "SHA256", hashlib.sha384: "SHA384", hashlib.sha512: "SHA512"},
        api_jws._CACHEABLE_ALGORITHMS,
        api_jws._prepare_key,
        vars(api_jwt),
        datetime,
        timedelta,
        eligible,
        api_jws._ALGORITHM_UNSET,
        timegm,
    )
