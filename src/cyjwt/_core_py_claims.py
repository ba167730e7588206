"""The pure twin's claim checks for the one-call decode: PyJWT's
_validate_claims inline (the compiled twin is _check_claims in
_core_claims.pxi).  Part of :mod:`cyjwt._core_py`.
"""

from __future__ import annotations

import time
from typing import Any

from . import _core_py_wiring as _w
from ._texts import (
    AUD_FORMAT,
    AUD_MISMATCH,
    AUD_UNEXPECTED,
    EXP_NOT_INT,
    EXPIRED,
    IAT_IMMATURE,
    IAT_NOT_INT,
    ISS_INVALID,
    ISS_NOT_STRING,
    ISS_PARAM_TYPE,
    JTI_NOT_STRING,
    NBF_IMMATURE,
    NBF_NOT_INT,
    SUB_INVALID,
    SUB_NOT_STRING,
)
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

_TIME_NS = time.time_ns  # bound once, as the compiled core does (time-machine patches it in place)
# The audience types for which PyJWT's isinstance(audience, (str, Iterable)) holds.
_AUDIENCE_TYPES = (str, list, tuple, set, frozenset)


def _claims_checked(
    payload: dict[str, Any],
    options: dict[str, Any],
    audience: Any,
    issuer: Any,
    subject: Any,
    leeway: Any,
) -> bool:
    """PyJWT._validate_claims of an unchanged PyJWT class and instance,
    without its method calls: the same checks in the same order, raising
    the same errors (the twin of _check_claims in _core_claims.pxi; change
    api_jwt.py, change both).  False, having done nothing, for a leeway or
    audience of another type or strict_aud: the method's to check."""
    kind = type(leeway)
    if kind is not int and kind is not float:
        if kind is not _w._wiring.timedelta_class:
            return False
        leeway = leeway.total_seconds()
    if audience is not None and type(audience) not in _AUDIENCE_TYPES:
        return False
    if options.get("strict_aud", False):
        return False

    for claim in options["require"]:
        if payload.get(claim) is None:
            raise MissingRequiredClaimError(claim)
    # datetime.now(tz=timezone.utc).timestamp(): microseconds, floored.
    now = (_TIME_NS() // 1000) / 1e6
    if "iat" in payload and options["verify_iat"]:
        iat = payload["iat"]
        if type(iat) is not int:
            iat = _claim_int(iat, InvalidIssuedAtError, IAT_NOT_INT)
        if iat > (now + leeway):
            raise ImmatureSignatureError(IAT_IMMATURE)
    if "nbf" in payload and options["verify_nbf"]:
        nbf = payload["nbf"]
        if type(nbf) is not int:
            nbf = _claim_int(nbf, DecodeError, NBF_NOT_INT)
        if nbf > (now + leeway):
            raise ImmatureSignatureError(NBF_IMMATURE)
    if "exp" in payload and options["verify_exp"]:
        exp = payload["exp"]
        if type(exp) is not int:
            exp = _claim_int(exp, DecodeError, EXP_NOT_INT)
        if exp <= (now - leeway):
            raise ExpiredSignatureError(EXPIRED)

    if options["verify_iss"] and issuer is not None:
        if "iss" not in payload:
            raise MissingRequiredClaimError("iss")
        iss = payload["iss"]
        if not isinstance(iss, str):
            raise InvalidIssuerError(ISS_NOT_STRING)
        if isinstance(issuer, str):
            if iss != issuer:
                raise InvalidIssuerError(ISS_INVALID)
        else:
            try:
                found = iss in issuer
            except TypeError:
                raise InvalidIssuerError(ISS_PARAM_TYPE) from None
            if not found:
                raise InvalidIssuerError(ISS_INVALID)

    if options["verify_aud"]:
        if audience is None:
            if "aud" in payload and payload["aud"]:
                raise InvalidAudienceError(AUD_UNEXPECTED)
        else:
            if "aud" not in payload or not payload["aud"]:
                raise MissingRequiredClaimError("aud")
            claimed = payload["aud"]
            if type(claimed) is str and type(audience) is str:
                if claimed != audience:  # [audience]'s one item not in [claimed]
                    raise InvalidAudienceError(AUD_MISMATCH)
            else:
                _audience_matches(claimed, audience)

    if options["verify_sub"] and "sub" in payload:
        if not isinstance(payload["sub"], str):
            raise InvalidSubjectError(SUB_NOT_STRING)
        if subject is not None and payload.get("sub") != subject:
            raise InvalidSubjectError(SUB_INVALID)

    if options["verify_jti"] and "jti" in payload and not isinstance(payload.get("jti"), str):
        raise InvalidJTIError(JTI_NOT_STRING)
    return True


def _claim_int(value: Any, error: type[Exception], message: str) -> int:
    """``int(value)``, or *error* saying the claim must be an integer
    (api_jwt._int_claim, raised with the same suppressed context)."""
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        raise error(message) from None


def _audience_matches(claimed: Any, audience: Any) -> None:
    """PyJWT._validate_aud's non-strict comparison, for a present ``aud``."""
    if isinstance(claimed, str):
        claimed = [claimed]
    if not isinstance(claimed, list) or any(not isinstance(c, str) for c in claimed):
        raise InvalidAudienceError(AUD_FORMAT)
    expected = [audience] if isinstance(audience, str) else audience
    if all(aud not in claimed for aud in expected):
        raise InvalidAudienceError(AUD_MISMATCH)
