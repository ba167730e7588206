"""JSON Web Tokens: JSON claims on top of :mod:`cyjwt.api_jws`.

The common calls, an HS* key given as ``str`` or ``bytes`` and no unusual
argument, go through the one-call fast path of :mod:`cyjwt._core` (see
:mod:`cyjwt._fastpath` for exactly when); every other call takes the
general path below, which follows PyJWT 2.15.1 step for step.
"""

from __future__ import annotations

import json
import warnings
from calendar import timegm
from collections.abc import Container, Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Dict, Union, cast

from . import _core, _texts
from .api_jws import _ALGORITHM_UNSET, PyJWS, _jws_global_obj, _warn_unsupported_kwargs
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
from .warnings import RemovedInPyjwt3Warning  # noqa: F401 - also a name of PyJWT's module

if TYPE_CHECKING:  # pragma: no cover
    from .algorithms import AllowedPrivateKeys, AllowedPublicKeys
    from .api_jwk import PyJWK
    from .types import FullOptions, Options, SigOptions

    AllowedPrivateKeyTypes = Union[AllowedPrivateKeys, PyJWK, str, bytes]
    AllowedPublicKeyTypes = Union[AllowedPublicKeys, PyJWK, str, bytes]

__all__ = ["PyJWT", "encode", "decode", "decode_complete"]

_VERIFY_CLAIM_SWITCHES = (
    "verify_exp",
    "verify_nbf",
    "verify_iat",
    "verify_aud",
    "verify_iss",
    "verify_sub",
    "verify_jti",
)
_TIME_CLAIMS = ("exp", "iat", "nbf")


def _int_claim(payload: dict[str, Any], claim: str, error: type[Exception], message: str) -> int:
    """``int(payload[claim])``, or *error* saying the claim must be an integer."""
    try:
        return int(payload[claim])
    except (ValueError, TypeError, OverflowError):
        raise error(message) from None


class PyJWT:
    """Encode and decode JSON Web Tokens (RFC 7519)."""

    def __init__(self, options: Options | None = None) -> None:
        self.options: FullOptions = self._get_default_options()
        if options is not None:
            self.options = self._merge_options(options)
        self._jws = PyJWS(options=self._get_sig_options())

    @staticmethod
    def _get_default_options() -> FullOptions:
        return {
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_aud": True,
            "verify_iss": True,
            "verify_sub": True,
            "verify_jti": True,
            "require": [],
            "strict_aud": False,
            "enforce_minimum_key_length": False,
        }

    def _get_sig_options(self) -> SigOptions:
        return {
            "verify_signature": self.options["verify_signature"],
            "enforce_minimum_key_length": self.options.get("enforce_minimum_key_length", False),
        }

    def _merge_options(self, options: Options | None = None) -> FullOptions:
        if options is None:
            return self.options
        given = cast(Dict[str, Any], dict(options))
        # Without signature verification, claim checks default to off too.
        if not given.get("verify_signature", True):
            for switch in _VERIFY_CLAIM_SWITCHES:
                given[switch] = given.get(switch, False)
        return cast("FullOptions", {**self.options, **given})

    # -- encoding ----------------------------------------------------------

    def encode(
        self,
        payload: dict[str, Any],
        key: AllowedPrivateKeyTypes,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        """Encode the claims in *payload* as a signed JSON Web Token.

        ``exp``, ``iat`` and ``nbf`` given as :class:`~datetime.datetime`
        become integer timestamps.  An ``alg`` in *headers* wins over
        *algorithm*; a :class:`~cyjwt.PyJWK` key brings its own algorithm.

        :raises TypeError: *payload* is not a dict, or ``iss`` is not a string.
        """
        if not isinstance(payload, dict):
            raise TypeError(
                "Expecting a dict object, as JWT only supports JSON objects as payloads."
            )
        token: str | None = _core.jwt_encode(
            self, payload, key, algorithm, headers, json_encoder, sort_headers
        )
        if token is not None:
            return token

        payload = payload.copy()
        for claim in _TIME_CLAIMS:
            value = payload.get(claim)
            if isinstance(value, datetime):
                payload[claim] = timegm(value.utctimetuple())
        if "iss" in payload and not isinstance(payload["iss"], str):
            raise TypeError(_texts.ENCODE_ISS_NOT_STRING)

        json_payload = self._encode_payload(payload, headers=headers, json_encoder=json_encoder)
        return self._jws.encode(
            json_payload, key, algorithm, headers, json_encoder, sort_headers=sort_headers
        )

    def _encode_payload(
        self,
        payload: dict[str, Any],
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
    ) -> bytes:
        """Serialise the claims to the bytes that get signed.

        Override in a subclass to change the serialisation (to compress it,
        say); :meth:`_decode_payload` is its counterpart.
        """
        return json.dumps(payload, separators=(",", ":"), cls=json_encoder).encode("utf-8")

    # -- decoding ----------------------------------------------------------

    def decode_complete(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeyTypes = "",
        algorithms: Sequence[str] | None = None,
        options: Options | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Like :meth:`decode`, but return ``{"payload", "header", "signature"}``.

        ``verify`` does nothing (as in PyJWT 2); set
        ``options={"verify_signature": False}`` to skip verification.
        Never derive *algorithms* from the token itself.
        """
        if kwargs:
            _warn_unsupported_kwargs("decode_complete", kwargs)
        if verify is None and detached_payload is None:
            fast: dict[str, Any] | None = _core.jwt_decode(
                self, jwt, key, algorithms, options, audience, issuer, subject, leeway, True
            )
            if fast is not None:
                return fast

        verify_signature = True if options is None else options.get("verify_signature", True)
        # ``verify`` is a leftover of PyJWT 1; say so when it contradicts the options.
        if verify is not None and verify != verify_signature:
            warnings.warn(
                "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. "
                "The equivalent is setting `verify_signature` to False in the `options` "
                "dictionary. This invocation has a mismatch between the kwarg and the "
                "option entry.",
                category=DeprecationWarning,
                stacklevel=2,
            )
        merged = self._merge_options(options)
        sig_options: SigOptions = {
            "verify_signature": verify_signature,
            "enforce_minimum_key_length": merged.get("enforce_minimum_key_length", False),
        }
        decoded = self._jws.decode_complete(
            jwt,
            key=key,
            algorithms=algorithms,
            options=sig_options,
            detached_payload=detached_payload,
        )
        payload = self._decode_payload(decoded)
        self._validate_claims(
            payload, merged, audience=audience, issuer=issuer, leeway=leeway, subject=subject
        )
        decoded["payload"] = payload
        return decoded

    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        """Turn the verified payload bytes into the claims dict.

        Override in a subclass to change how the payload is read (to
        decompress it, say); :meth:`_encode_payload` is its counterpart.
        """
        try:
            payload = json.loads(decoded["payload"])
        except (ValueError, RecursionError) as err:
            raise DecodeError(_texts.BAD_JSON.format("payload", err)) from err
        if not isinstance(payload, dict):
            raise DecodeError(_texts.PAYLOAD_NOT_OBJECT)
        return payload

    def decode(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeyTypes = "",
        algorithms: Sequence[str] | None = None,
        options: Options | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        subject: str | None = None,
        issuer: str | Container[str] | None = None,
        leeway: float | timedelta = 0,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Verify *jwt* and its claims, and return the claims.

        :param algorithms: the algorithms accepted, e.g. ``["HS256"]``.  Fix
            them in configuration next to the key; never take them from the
            token, and do not mix algorithm families that read the same key
            differently (HS* and RS*).
        :param audience: the expected ``aud`` (a string, or several).
        :param issuer: the expected ``iss`` (a string, or a container of them).
        :param subject: the expected ``sub``.
        :param leeway: seconds (or a timedelta) of clock skew to allow.
        """
        if kwargs:
            _warn_unsupported_kwargs("decode", kwargs)
        if verify is None and detached_payload is None:
            claims: dict[str, Any] | None = _core.jwt_decode(
                self, jwt, key, algorithms, options, audience, issuer, subject, leeway, False
            )
            if claims is not None:
                return claims
        decoded = self.decode_complete(
            jwt,
            key,
            algorithms,
            options,
            verify=verify,
            detached_payload=detached_payload,
            audience=audience,
            subject=subject,
            issuer=issuer,
            leeway=leeway,
        )
        payload: dict[str, Any] = decoded["payload"]
        return payload

    # -- claim checks ------------------------------------------------------
    # The compiled core checks the same rules in _core_claims.pxi (same
    # order, same _texts messages); change one side, change the other.

    def _validate_claims(
        self,
        payload: dict[str, Any],
        options: FullOptions,
        audience: Iterable[str] | str | None = None,
        issuer: Container[str] | str | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
    ) -> None:
        if isinstance(leeway, timedelta):
            leeway = leeway.total_seconds()
        if audience is not None and not isinstance(audience, (str, Iterable)):
            raise TypeError("audience must be a string, iterable or None")

        self._validate_required_claims(payload, options["require"])

        now = datetime.now(tz=timezone.utc).timestamp()
        if "iat" in payload and options["verify_iat"]:
            self._validate_iat(payload, now, leeway)
        if "nbf" in payload and options["verify_nbf"]:
            self._validate_nbf(payload, now, leeway)
        if "exp" in payload and options["verify_exp"]:
            self._validate_exp(payload, now, leeway)
        if options["verify_iss"]:
            self._validate_iss(payload, issuer)
        if options["verify_aud"]:
            self._validate_aud(payload, audience, strict=options.get("strict_aud", False))
        if options["verify_sub"]:
            self._validate_sub(payload, subject)
        if options["verify_jti"]:
            self._validate_jti(payload)

    def _validate_required_claims(self, payload: dict[str, Any], claims: Iterable[str]) -> None:
        for claim in claims:
            if payload.get(claim) is None:
                raise MissingRequiredClaimError(claim)

    def _validate_sub(self, payload: dict[str, Any], subject: str | None = None) -> None:
        if "sub" not in payload:
            return
        if not isinstance(payload["sub"], str):
            raise InvalidSubjectError(_texts.SUB_NOT_STRING)
        if subject is not None and payload.get("sub") != subject:
            raise InvalidSubjectError(_texts.SUB_INVALID)

    def _validate_jti(self, payload: dict[str, Any]) -> None:
        if "jti" in payload and not isinstance(payload.get("jti"), str):
            raise InvalidJTIError(_texts.JTI_NOT_STRING)

    def _validate_iat(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        iat = _int_claim(payload, "iat", InvalidIssuedAtError, _texts.IAT_NOT_INT)
        if iat > (now + leeway):
            raise ImmatureSignatureError(_texts.IAT_IMMATURE)

    def _validate_nbf(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        nbf = _int_claim(payload, "nbf", DecodeError, _texts.NBF_NOT_INT)
        if nbf > (now + leeway):
            raise ImmatureSignatureError(_texts.NBF_IMMATURE)

    def _validate_exp(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        exp = _int_claim(payload, "exp", DecodeError, _texts.EXP_NOT_INT)
        if exp <= (now - leeway):
            raise ExpiredSignatureError(_texts.EXPIRED)

    def _validate_aud(
        self,
        payload: dict[str, Any],
        audience: str | Iterable[str] | None,
        *,
        strict: bool = False,
    ) -> None:
        if audience is None:
            if "aud" not in payload or not payload["aud"]:
                return
            # The token names an audience but the caller expects none.
            raise InvalidAudienceError(_texts.AUD_UNEXPECTED)
        if "aud" not in payload or not payload["aud"]:
            raise MissingRequiredClaimError("aud")
        claimed = payload["aud"]

        if strict:
            # One expected audience, one claimed, and they must be equal.
            if not isinstance(audience, str):
                raise InvalidAudienceError("Invalid audience (strict)")
            if not isinstance(claimed, str):
                raise InvalidAudienceError("Invalid claim format in token (strict)")
            if audience != claimed:
                raise InvalidAudienceError("Audience doesn't match (strict)")
            return

        if isinstance(claimed, str):
            claimed = [claimed]
        if not isinstance(claimed, list) or any(not isinstance(c, str) for c in claimed):
            raise InvalidAudienceError(_texts.AUD_FORMAT)
        expected = [audience] if isinstance(audience, str) else audience
        if all(aud not in claimed for aud in expected):
            raise InvalidAudienceError(_texts.AUD_MISMATCH)

    def _validate_iss(self, payload: dict[str, Any], issuer: Container[str] | str | None) -> None:
        if issuer is None:
            return
        if "iss" not in payload:
            raise MissingRequiredClaimError("iss")
        iss = payload["iss"]
        if not isinstance(iss, str):
            raise InvalidIssuerError(_texts.ISS_NOT_STRING)
        if isinstance(issuer, str):
            if iss != issuer:
                raise InvalidIssuerError(_texts.ISS_INVALID)
            return
        try:
            found = iss in issuer
        except TypeError:
            raise InvalidIssuerError(_texts.ISS_PARAM_TYPE) from None
        if not found:
            raise InvalidIssuerError(_texts.ISS_INVALID)


_jwt_global_obj = PyJWT()
_jwt_global_obj._jws = _jws_global_obj
encode = _core.fast_entry(_jwt_global_obj.encode)
decode_complete = _core.fast_entry(_jwt_global_obj.decode_complete)
decode = _core.fast_entry(_jwt_global_obj.decode)
