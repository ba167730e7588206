"""JSON Web Signature: sign bytes into a compact token and check tokens.

:class:`PyJWS` is the general path, written for exactness rather than
speed.  :mod:`cyjwt.api_jwt` sends the common HS* calls through the
one-call fast path of :mod:`cyjwt._core` instead, and comes back here for
everything that path does not take.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from . import _core, _texts
from ._sentinels import ALGORITHM_UNSET
from .algorithms import (
    Algorithm,
    get_default_algorithms,
    has_crypto,
    requires_cryptography,
)
from .api_jwk import PyJWK
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
)
from .utils import base64url_decode, base64url_encode
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

if TYPE_CHECKING:  # pragma: no cover
    from .algorithms import AllowedPrivateKeys, AllowedPublicKeys
    from .types import SigOptions

__all__ = [
    "PyJWS",
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
    "get_algorithm_by_name",
    "base64url_decode",
    "base64url_encode",
]

# Tells "no algorithm argument" (HS256, or the PyJWK's own) apart from an
# explicit ``algorithm=None`` (which means "none").
_ALGORITHM_UNSET: Any = ALGORITHM_UNSET

# The base64url alphabet (PyJWT's module has this name too).
_BASE64URL_ALPHABET = _texts.BASE64URL_ALPHABET

_KWARGS_DEPRECATION = (
    "passing additional kwargs to {func}() is deprecated "
    "and will be removed in pyjwt version 3. "
    "Unsupported kwargs: {names}"
)


def _warn_unsupported_kwargs(func: str, kwargs: dict[str, Any]) -> None:
    warnings.warn(
        _KWARGS_DEPRECATION.format(func=func, names=tuple(kwargs.keys())),
        RemovedInPyjwt3Warning,
        stacklevel=3,
    )


# Loading a PEM or SSH key costs far more than using it: cryptography
# checks an RSA private key's consistency on every load (milliseconds).
# Applications pass the same PEM string on every call, so the loaded key
# object is kept, per algorithm family and curve, for keys given as str
# or bytes to the built-in asymmetric algorithms.  Failures are not kept;
# loading is a pure function of the key text, so nothing else changes.
_PREPARED_KEYS: dict[tuple[Any, ...], Any] = {}
_PREPARED_KEYS_MAX = 128
_CACHEABLE_ALGORITHMS: tuple[type, ...] = ()
if has_crypto:
    from .algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm, RSAPSSAlgorithm

    _CACHEABLE_ALGORITHMS = (RSAAlgorithm, RSAPSSAlgorithm, ECAlgorithm, OKPAlgorithm)


# The prepare_key each cacheable class has as defined: a patched one (on
# the class or the instance) is called every time, never served from the
# cache.
_ORIGINAL_PREPARE_KEY: dict[Any, Any] = {
    kind: kind.prepare_key for kind in cast("tuple[Any, ...]", _CACHEABLE_ALGORITHMS)
}


def _prepare_key(alg_obj: Algorithm, key: Any) -> Any:
    """``alg_obj.prepare_key(key)``, remembering loaded asymmetric keys."""
    kind: Any = type(alg_obj)
    original = _ORIGINAL_PREPARE_KEY.get(kind)
    if (
        original is None
        or type(key) not in (str, bytes)
        or kind.prepare_key is not original
        or "prepare_key" in vars(alg_obj)
    ):
        return alg_obj.prepare_key(key)
    # The key's type stands before the key, so a str key is never compared
    # with a bytes one (a BytesWarning under python -b).
    slot = (kind, getattr(alg_obj, "expected_curve", None), type(key), key)
    prepared = _PREPARED_KEYS.get(slot)
    if prepared is None:
        prepared = alg_obj.prepare_key(key)
        if len(_PREPARED_KEYS) >= _PREPARED_KEYS_MAX:
            _PREPARED_KEYS.clear()
        _PREPARED_KEYS[slot] = prepared
    return prepared


def _settle_key_length(alg_obj: Algorithm, key: Any, enforce: bool, stacklevel: int) -> None:
    """Warn about (or, when *enforce*, refuse) a key below the recommended size."""
    message = alg_obj.check_key_length(key)
    if message:
        if enforce:
            raise InvalidKeyError(message)
        warnings.warn(message, InsecureKeyLengthWarning, stacklevel=stacklevel + 1)


class PyJWS:
    """Encode and decode JSON Web Signatures (RFC 7515, compact form)."""

    header_typ = "JWT"

    # Critical header extensions this library implements.
    _supported_crit: set[str] = {"b64"}

    def __init__(
        self,
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
    ) -> None:
        known = get_default_algorithms()
        self._valid_algs = set(known) if algorithms is None else set(algorithms)
        self._algorithms = {name: alg for name, alg in known.items() if name in self._valid_algs}
        self.options: SigOptions = self._get_default_options()
        if options is not None:
            self.options = {**self.options, **options}

    @staticmethod
    def _get_default_options() -> SigOptions:
        return {"verify_signature": True, "enforce_minimum_key_length": False}

    # -- the algorithm registry ------------------------------------------

    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Make *alg_obj* available under the name *alg_id*."""
        if alg_id in self._algorithms:
            raise ValueError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise TypeError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj
        self._valid_algs.add(alg_id)

    def unregister_algorithm(self, alg_id: str) -> None:
        """Remove the algorithm registered as *alg_id* (``KeyError`` if none is)."""
        if alg_id not in self._algorithms:
            raise KeyError(
                "The specified algorithm could not be removed because it is not registered."
            )
        del self._algorithms[alg_id]
        self._valid_algs.remove(alg_id)

    def get_algorithms(self) -> list[str]:
        """The names usable as ``alg``."""
        return list(self._valid_algs)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """The :class:`Algorithm` registered as *alg_name*."""
        try:
            return self._algorithms[alg_name]
        except KeyError as missing:
            if not has_crypto and alg_name in requires_cryptography:
                raise NotImplementedError(
                    f"Algorithm '{alg_name}' could not be found. "
                    "Do you have cryptography installed?"
                ) from missing
            raise NotImplementedError(_texts.ALG_NOT_SUPPORTED) from missing

    # -- encoding ----------------------------------------------------------

    def encode(
        self,
        payload: bytes,
        key: AllowedPrivateKeys | PyJWK | str | bytes,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Sign *payload* (bytes) and return the compact token."""
        if algorithm is _ALGORITHM_UNSET or algorithm is None:
            if isinstance(key, PyJWK):
                alg_name = key.algorithm_name
            else:
                alg_name = "HS256" if algorithm is _ALGORITHM_UNSET else "none"
        else:
            alg_name = algorithm

        # Values in ``headers`` win over the arguments.
        if headers:
            if headers.get("alg"):
                alg_name = headers["alg"]
            if headers.get("b64") is False:
                is_payload_detached = True

        header: dict[str, Any] = {"typ": self.header_typ, "alg": alg_name}
        if headers:
            self._validate_headers(headers, encoding=True)
            header.update(headers)
        if not header["typ"]:
            del header["typ"]

        if is_payload_detached:
            header["b64"] = False
            # RFC 7797 section 3: whoever sets "b64" must also mark it critical.
            crit = header.get("crit", [])
            if not isinstance(crit, list):
                raise InvalidTokenError("Invalid 'crit' header: must be a list")
            if "b64" not in crit:
                header["crit"] = [*crit, "b64"]
        elif "b64" in header:
            del header["b64"]  # true is the default; leave it out

        header_json = json.dumps(
            header, separators=(",", ":"), cls=json_encoder, sort_keys=sort_headers
        ).encode()
        header_segment = _core.b64url_encode(header_json)
        payload_segment = payload if is_payload_detached else _core.b64url_encode(payload)
        # join, as PyJWT: a detached payload that is not bytes fails as there.
        signing_input = b".".join((header_segment, payload_segment))

        alg_obj = self.get_algorithm_by_name(alg_name)
        if isinstance(key, PyJWK):
            key = key.key
        prepared = _prepare_key(alg_obj, key)
        _settle_key_length(
            alg_obj, prepared, bool(self.options.get("enforce_minimum_key_length", False)), 2
        )
        signature_segment = _core.b64url_encode(alg_obj.sign(signing_input, prepared))

        if is_payload_detached:
            payload_segment = b""
        return b".".join((header_segment, payload_segment, signature_segment)).decode("utf-8")

    # -- decoding ----------------------------------------------------------

    def decode_complete(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeys | PyJWK | str | bytes = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Check *jwt* and return its ``payload`` (bytes), ``header`` and ``signature``."""
        if kwargs:
            _warn_unsupported_kwargs("decode_complete", kwargs)
        if options is None:
            merged: SigOptions = self.options
        else:
            merged = {**self.options, **options}
        verify_signature = merged["verify_signature"]

        if verify_signature and not algorithms and not isinstance(key, PyJWK):
            raise DecodeError(
                'It is required that you pass in a value for the "algorithms" '
                "argument when calling decode()."
            )

        payload, signing_input, header, signature = self._load(jwt)
        self._validate_headers(header)

        unencoded = header.get("b64", True) is False
        if detached_payload is not None and not unencoded:
            raise DecodeError(
                'It is only valid to pass "detached_payload" when the protected '
                'header has "b64" set to false.'
            )
        if unencoded:
            # RFC 7797 section 3: "b64" present means it must be in "crit".
            crit = header.get("crit") or []
            if not isinstance(crit, list) or "b64" not in crit:
                raise InvalidTokenError(
                    "The 'b64' header parameter requires 'b64' to be listed in 'crit'."
                )
            if detached_payload is None:
                raise DecodeError(
                    'It is required that you pass in a value for the "detached_payload" '
                    "argument to decode a message having the b64 header set to false."
                )
            payload = detached_payload
            signing_input = signing_input.rpartition(b".")[0] + b"." + payload

        if verify_signature:
            self._verify_signature(
                signing_input, header, signature, key, algorithms, options=merged
            )
        return {"payload": payload, "header": header, "signature": signature}

    def decode(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeys | PyJWK | str | bytes = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> Any:
        """Check *jwt* and return its payload bytes."""
        if kwargs:
            _warn_unsupported_kwargs("decode", kwargs)
        decoded = self.decode_complete(
            jwt, key, algorithms, options, detached_payload=detached_payload
        )
        return decoded["payload"]

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """The token's header, read *without* checking the signature."""
        fast: dict[str, Any] | None = _core.jws_header(self, jwt)
        if fast is not None:
            return fast
        header = self._load(jwt)[2]
        self._validate_headers(header)
        return header

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        """Strict base64url decoding of one segment (see :mod:`cyjwt._core`)."""
        return _core.b64url_decode_segment(segment, name)

    def _load(self, jwt: str | bytes) -> tuple[bytes, bytes, dict[str, Any], bytes]:
        if isinstance(jwt, str):
            jwt = jwt.encode("utf-8")
        if not isinstance(jwt, bytes):
            raise DecodeError(f"Invalid token type. Token must be a {bytes}")

        signing_input, header_segment, payload_segment, crypto_segment = _core.split_token(jwt)

        header_data = self._decode_base64url_segment(header_segment, "header")
        try:
            header = json.loads(header_data)
        except (ValueError, RecursionError) as err:
            raise DecodeError(_texts.BAD_JSON.format("header", err)) from err
        if not isinstance(header, dict):
            raise DecodeError(_texts.HEADER_NOT_OBJECT)

        if header.get("b64", True) is False:
            # RFC 7515 appendix F: a detached payload leaves the segment
            # empty.  Refusing anything else here, before any decoding,
            # keeps an unauthenticated segment from costing us work.
            if payload_segment:
                raise DecodeError("Payload segment must be empty when 'b64' is false.")
            payload = b""
        else:
            payload = self._decode_base64url_segment(payload_segment, "payload")

        signature = self._decode_base64url_segment(crypto_segment, "crypto")
        return payload, signing_input, header, signature

    def _verify_signature(
        self,
        signing_input: bytes,
        header: dict[str, Any],
        signature: bytes,
        key: AllowedPublicKeys | PyJWK | str | bytes = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
    ) -> None:
        effective = self.options if options is None else options
        if algorithms is None and isinstance(key, PyJWK):
            algorithms = [key.algorithm_name]
        try:
            alg = header["alg"]
        except KeyError:
            raise InvalidAlgorithmError(_texts.ALG_MISSING) from None
        if not alg or (algorithms is not None and alg not in algorithms):
            raise InvalidAlgorithmError(_texts.ALG_NOT_ALLOWED)

        if isinstance(key, PyJWK):
            # A JWK is bound to one algorithm: verify with that one, never
            # with whatever the (attacker-controlled) header names.
            if alg != key.algorithm_name:
                raise InvalidAlgorithmError(
                    f"Token algorithm {alg!r} does not match the key's "
                    f"algorithm {key.algorithm_name!r}"
                )
            alg_obj = key.Algorithm
            prepared = alg_obj.prepare_key(key.key)
        else:
            try:
                alg_obj = self.get_algorithm_by_name(alg)
            except NotImplementedError as unknown:
                raise InvalidAlgorithmError(_texts.ALG_NOT_SUPPORTED) from unknown
            prepared = _prepare_key(alg_obj, key)

        _settle_key_length(
            alg_obj, prepared, bool(effective.get("enforce_minimum_key_length", False)), 4
        )
        if not alg_obj.verify(signing_input, prepared, signature):
            raise InvalidSignatureError(_texts.SIGNATURE_FAILED)

    # -- header checks -----------------------------------------------------

    def _validate_headers(self, headers: dict[str, Any], *, encoding: bool = False) -> None:
        if "kid" in headers:
            self._validate_kid(headers["kid"])
        if not encoding and "crit" in headers:
            self._validate_crit(headers)

    def _validate_kid(self, kid: Any) -> None:
        if not isinstance(kid, str):
            raise InvalidTokenError(_texts.KID_NOT_STRING)

    def _validate_crit(self, headers: dict[str, Any]) -> None:
        crit = headers["crit"]
        if not isinstance(crit, list) or not crit:
            raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
        for name in crit:
            if not isinstance(name, str):
                raise InvalidTokenError("Invalid 'crit' header: values must be strings")
            if name not in self._supported_crit:
                raise InvalidTokenError(f"Unsupported critical extension: {name}")
            if name not in headers:
                raise InvalidTokenError(f"Critical extension '{name}' is missing from headers")


_jws_global_obj = PyJWS()
encode = _jws_global_obj.encode
decode_complete = _jws_global_obj.decode_complete
decode = _jws_global_obj.decode
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name
get_unverified_header = _core.fast_entry(_jws_global_obj.get_unverified_header)
