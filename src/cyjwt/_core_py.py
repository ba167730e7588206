"""Pure-Python twin of the compiled core (:mod:`cyjwt._core_c`).

Every public function here has the same signature and the same behaviour,
exceptions included, as its compiled namesake; :mod:`cyjwt._core` picks
one of the two.  Keep them in step: ``tests/test_core.py`` runs the same
cases against both.
"""

from __future__ import annotations

import binascii
import hmac
import json
from typing import Any, NoReturn, Optional

from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    InvalidTokenError,
)

__all__ = [
    "IMPLEMENTATION",
    "b64url_encode",
    "b64url_decode_segment",
    "split_token",
    "hmac_sign",
    "hmac_verify",
    "json_loads",
    "json_dumps",
    "fast_setup",
    "clear_caches",
    "jwt_decode",
    "jwt_encode",
    "jws_header",
]

IMPLEMENTATION = "python"

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")
# For the last character of a segment whose length is 2 or 3 (mod 4): the
# low bits that must be zero for the encoding to be the canonical one.
_SPARE_BITS_MASK = {2: 0x0F, 3: 0x03}
_HASH_NAMES = {"SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


def _require_bytes(value: object, what: str) -> None:
    """bytes or a subclass of it, as the compiled core insists."""
    if not isinstance(value, bytes):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


def b64url_encode(data: bytes) -> bytes:
    """base64url without padding."""
    return binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL).rstrip(b"=")


def b64url_decode_segment(segment: bytes, name: str) -> bytes:
    """Strictly decode one token segment.

    Accepts only the canonical unpadded encoding, or that encoding with the
    one or two ``=`` that complete its last group.  Anything else raises
    ``DecodeError("Invalid <name> padding")``, as PyJWT 2.15.1 does.
    """
    _require_bytes(segment, "segment")
    size = len(segment)
    stripped = segment.rstrip(b"=")
    padding = size - len(stripped)
    if padding and (padding > 2 or size % 4):
        raise DecodeError(f"Invalid {name} padding")
    remainder = len(stripped) % 4
    if remainder == 1 or stripped.translate(None, _ALPHABET):
        raise DecodeError(f"Invalid {name} padding")
    if remainder and _ALPHABET.index(stripped[-1]) & _SPARE_BITS_MASK[remainder]:
        raise DecodeError(f"Invalid {name} padding")
    return binascii.a2b_base64(stripped.translate(_URL_TO_STD) + b"=" * (-remainder % 4))


def split_token(token: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Split a compact JWS into (signing input, header, payload, signature).

    The signature is what follows the last dot, the header what precedes
    the first one; the payload is everything between, dots included.
    """
    _require_bytes(token, "token")
    signing_input, dot, crypto = token.rpartition(b".")
    header, dot2, payload = signing_input.partition(b".")
    if not dot or not dot2:
        _not_enough_segments()
    return signing_input, header, payload, crypto


def _not_enough_segments() -> NoReturn:
    """PyJWT's error, chained to (and raised while handling) an unpacking ValueError."""
    try:
        raise ValueError("not enough values to unpack (expected 2, got 1)")
    except ValueError as err:
        raise DecodeError("Not enough segments") from err


def _missing_alg() -> NoReturn:
    """PyJWT looks ``alg`` up and turns the KeyError into this (context kept)."""
    try:
        raise KeyError("alg")
    except KeyError:
        raise InvalidAlgorithmError("Algorithm not specified") from None


def hmac_sign(hash_name: str, key: bytes, msg: bytes) -> bytes:
    """HMAC of *msg* under *key* with ``SHA256``, ``SHA384`` or ``SHA512``."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    return hmac.digest(key, msg, _HASH_NAMES[hash_name])


def hmac_verify(hash_name: str, key: bytes, msg: bytes, sig: bytes) -> bool:
    """Constant-time check that *sig* is the HMAC of *msg* under *key*."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    _require_bytes(sig, "sig")
    return hmac.compare_digest(sig, hmac.digest(key, msg, _HASH_NAMES[hash_name]))


def json_loads(data: bytes) -> Any:
    """``json.loads(data)``; the compiled twin reads common documents faster."""
    _require_bytes(data, "data")
    return json.loads(data)


def json_dumps(obj: Any) -> bytes:
    """``json.dumps(obj, separators=(",", ":")).encode()``."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


# -------------------------------------------------------------------------
# The one-call HS* encode and decode.  jwt_decode / jwt_encode return None
# when a call is not theirs to take (see _fastpath.py); the caller then
# runs the general path, which gives the same result more slowly.


class _Hooks:
    """What fast_setup hands over: the classes and functions checked against."""

    pyjwk_cls: Any = None
    hmac_cls: Any = None
    hash_by_func: dict[Any, str] = {}
    asymmetric: tuple[type, ...] = ()
    prepare_key: Any = None
    api_jwt_globals: dict[str, Any] = {}
    real_datetime: Any = None
    timedelta_cls: Any = None
    eligible: Any = None
    unset: Any = None
    timegm: Any = None


_TYPE_OK: dict[type, bool] = {}
_KEY_CACHES: dict[str, dict[Any, tuple[bytes, Optional[str]]]] = {
    name: {} for name in _HASH_NAMES
}
_KEY_CACHE_SIZE = 256
_TYPE_CACHE_SIZE = 256
_HEADER_SEGMENTS: dict[tuple[Any, bool], bytes] = {}


def fast_setup(
    pyjwk_cls: Any,
    hmac_cls: Any,
    hash_by_func: dict[Any, str],
    asymmetric_classes: tuple[type, ...],
    prepare_key: Any,
    api_jwt_globals: dict[str, Any],
    real_datetime: Any,
    timedelta_cls: Any,
    eligible: Any,
    unset: Any,
    timegm: Any,
) -> None:
    """Hand the core the classes and hooks the fast path checks against."""
    _Hooks.pyjwk_cls = pyjwk_cls
    _Hooks.hmac_cls = hmac_cls
    _Hooks.hash_by_func = dict(hash_by_func)
    _Hooks.asymmetric = asymmetric_classes
    _Hooks.prepare_key = prepare_key
    _Hooks.api_jwt_globals = api_jwt_globals
    _Hooks.real_datetime = real_datetime
    _Hooks.timedelta_cls = timedelta_cls
    _Hooks.eligible = eligible
    _Hooks.unset = unset
    _Hooks.timegm = timegm
    clear_caches()
    _HEADER_SEGMENTS.clear()


def _header_segment(alg: str, sort_keys: bool, extra: Optional[tuple[tuple[str, str], ...]]) -> bytes:
    """The header segment for *alg* plus *extra* (str pairs), kept per both."""
    slot: Any = alg if extra is None else (alg, extra)
    found = _HEADER_SEGMENTS.get((slot, sort_keys))
    if found is None:
        header = {"typ": "JWT", "alg": alg}
        if extra is not None:
            header.update(extra)
        text = json.dumps(header, separators=(",", ":"), sort_keys=sort_keys)
        found = b64url_encode(text.encode())
        if len(_HEADER_SEGMENTS) >= 256:
            _HEADER_SEGMENTS.clear()
        _HEADER_SEGMENTS[slot, sort_keys] = found
    return found


def _plain_extra_headers(headers: Any) -> Any:
    """Extra headers as (str, str) pairs; None for none; False: general path."""
    if headers is None:
        return None
    if type(headers) is not dict:
        return False
    if not headers:
        return None
    for name, value in headers.items():
        if type(name) is not str or type(value) is not str:
            return False
        if name in ("alg", "typ", "b64", "crit"):
            return False
    return tuple(headers.items())


def clear_caches() -> None:
    """Forget cached keys and class checks (tests; after patching a class)."""
    _TYPE_OK.clear()
    for cache in _KEY_CACHES.values():
        cache.clear()


def _type_ok(cls: type) -> bool:
    found = _TYPE_OK.get(cls)
    if found is None:
        if len(_TYPE_OK) >= _TYPE_CACHE_SIZE:
            _TYPE_OK.clear()
        found = _TYPE_OK[cls] = bool(_Hooks.eligible(cls))
    return found


def _key_state(alg_obj: Any, hash_name: str, key: Any) -> tuple[bytes, Optional[str]]:
    """(prepared key, key-length warning or None), after the algorithm's key checks."""
    cache = _KEY_CACHES[hash_name]
    found = cache.get(key)
    if found is None:
        prepared = alg_obj.prepare_key(key)  # raises what the general path raises
        found = (prepared, alg_obj.check_key_length(prepared))
        if len(cache) >= _KEY_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _parse_json_segment(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as err:
        raise DecodeError(f"Invalid {what} string: {err}") from err


def _registered(jws: Any, alg: str) -> Any:
    """The algorithm object *jws* has registered as *alg*, or None."""
    registry = jws._algorithms
    return registry.get(alg) if type(registry) is dict else None


class _Cache:
    """The last header segment read, with its parsed value (see _core_c)."""

    last_header: Optional[tuple[bytes, dict[str, Any]]] = None


_MAX_CACHED_HEADER = 256
_IMMUTABLE_TYPES = (str, int, float, bool, type(None))


def _remember_header(segment: bytes, header: dict[str, Any]) -> None:
    """Keep a header made only of immutable values; the kept dict stays private."""
    if len(segment) <= _MAX_CACHED_HEADER and all(
        type(value) in _IMMUTABLE_TYPES for value in header.values()
    ):
        _Cache.last_header = (segment, header.copy())


def _token_header(token: Any) -> Optional[tuple[dict[str, Any], bool, bytes, bytes, bytes]]:
    """Split *token* and read its header: the first steps of PyJWS._load.

    Returns (header, whether it came from the cache, signing input, payload
    segment, signature segment), raising what _load raises on the way; or
    None when the token is not ours to read (not bytes or an ASCII str) or
    its header asks for the general path (``b64``, ``crit``).
    """
    if type(token) is bytes:
        data = token
    elif type(token) is str and token.isascii():
        data = token.encode("ascii")
    else:
        return None
    signing_input, header_segment, payload_segment, crypto_segment = split_token(data)
    entry = _Cache.last_header  # one read: another thread may replace it
    if entry is not None and entry[0] == header_segment:
        header, from_cache = entry[1], True
    else:
        header = _parse_json_segment(b64url_decode_segment(header_segment, "header"), "header")
        if type(header) is not dict:
            raise DecodeError("Invalid header string: must be a json object")
        _remember_header(header_segment, header)
        from_cache = False
    if "b64" in header or "crit" in header:
        return None
    return header, from_cache, signing_input, payload_segment, crypto_segment


def jwt_decode(
    self: Any,
    token: Any,
    key: Any,
    algorithms: Any,
    options: Any,
    audience: Any,
    issuer: Any,
    subject: Any,
    leeway: Any,
    complete: bool,
) -> Any:
    """PyJWT.decode / decode_complete in one call; None: not ours."""
    # Everything that can send the call back to the general path is
    # decided before anything observable (a warning, an error) happens.
    if not _type_ok(type(self)) or not _type_ok(type(self._jws)):
        return None
    if _Hooks.api_jwt_globals.get("datetime") is not _Hooks.real_datetime:
        return None
    if isinstance(key, _Hooks.pyjwk_cls):
        return None
    if type(algorithms) not in (list, tuple) or not algorithms:
        return None
    if options is not None and (type(options) is not dict or not options.get("verify_signature", True)):
        return None
    options = self._merge_options(options)
    if type(options) is not dict:
        return None
    read = _token_header(token)
    if read is None:
        return None
    header, from_cache, signing_input, payload_segment, crypto_segment = read
    payload_data = b64url_decode_segment(payload_segment, "payload")
    signature = b64url_decode_segment(crypto_segment, "crypto")
    if "kid" in header and type(header["kid"]) is not str:
        raise InvalidTokenError("Key ID header parameter must be a string")

    if "alg" not in header:
        _missing_alg()
    alg = header["alg"]
    if not alg or alg not in algorithms:
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    if type(alg) is not str:
        return None
    alg_obj = _registered(self._jws, alg)
    if type(alg_obj) is _Hooks.hmac_cls:
        hash_name = _Hooks.hash_by_func.get(alg_obj.hash_alg)
        if hash_name is None or (type(key) is not str and type(key) is not bytes):
            return None
        prepared, message = _key_state(alg_obj, hash_name, key)
        if message is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        expected = hmac.digest(prepared, signing_input, _HASH_NAMES[hash_name])
        if not hmac.compare_digest(signature, expected):
            raise InvalidSignatureError("Signature verification failed")
    elif type(alg_obj) in _Hooks.asymmetric:
        prepared = _Hooks.prepare_key(alg_obj, key)
        if alg_obj.check_key_length(prepared) is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        if not alg_obj.verify(signing_input, prepared, signature):
            raise InvalidSignatureError("Signature verification failed")
    else:
        return None

    payload = _parse_json_segment(payload_data, "payload")
    if type(payload) is not dict:
        raise DecodeError("Invalid payload string: must be a json object")
    self._validate_claims(
        payload, options, audience=audience, issuer=issuer, leeway=leeway, subject=subject
    )
    if complete:
        if from_cache:
            header = header.copy()  # the cached one stays private
        return {"payload": payload, "header": header, "signature": signature}
    return payload


def jwt_encode(
    self: Any,
    payload: Any,
    key: Any,
    algorithm: Any,
    headers: Any,
    json_encoder: Any,
    sort_headers: Any,
) -> Optional[str]:
    """PyJWT.encode of a plain dict with a built-in algorithm, in one call; None: not ours."""
    if json_encoder is not None or type(payload) is not dict:
        return None
    extra = _plain_extra_headers(headers)
    if extra is False:
        return None
    if isinstance(key, _Hooks.pyjwk_cls):
        return None
    if algorithm is _Hooks.unset:
        algorithm = "HS256"
    elif type(algorithm) is not str:
        return None
    if not _type_ok(type(self)):
        return None
    jws = self._jws
    if not _type_ok(type(jws)):
        return None
    typ = jws.header_typ
    if type(typ) is not str or typ != "JWT":
        return None
    alg_obj = _registered(jws, algorithm)
    hash_name = None
    if type(alg_obj) is _Hooks.hmac_cls:
        hash_name = _Hooks.hash_by_func.get(alg_obj.hash_alg)
        if hash_name is None or (type(key) is not str and type(key) is not bytes):
            return None
    elif type(alg_obj) not in _Hooks.asymmetric:
        return None
    header_segment = _header_segment(algorithm, bool(sort_headers), extra)

    copied = False
    for claim in ("exp", "iat", "nbf"):
        value = payload.get(claim)
        if isinstance(value, _Hooks.real_datetime):
            if not copied:
                payload = payload.copy()
                copied = True
            payload[claim] = _Hooks.timegm(value.utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")

    if hash_name is not None:
        prepared, message = _key_state(alg_obj, hash_name, key)
    else:
        prepared = _Hooks.prepare_key(alg_obj, key)
        message = alg_obj.check_key_length(prepared)
    if message is not None:
        return None  # the general path warns, from the frames PyJWT warns from
    signing_input = header_segment + b"." + b64url_encode(body)
    if hash_name is not None:
        signature = hmac.digest(prepared, signing_input, _HASH_NAMES[hash_name])
    else:
        signature = alg_obj.sign(signing_input, prepared)
    return (signing_input + b"." + b64url_encode(signature)).decode("utf-8")


def jws_header(self: Any, token: Any) -> Any:
    """PyJWS.get_unverified_header in one call; None: not ours.

    The payload and signature segments are still checked for strict
    base64url, as the general path does.
    """
    if not _type_ok(type(self)):
        return None
    read = _token_header(token)
    if read is None:
        return None
    header, from_cache, _signing_input, payload_segment, crypto_segment = read
    b64url_decode_segment(payload_segment, "payload")
    b64url_decode_segment(crypto_segment, "crypto")
    if "kid" in header and type(header["kid"]) is not str:
        raise InvalidTokenError("Key ID header parameter must be a string")
    return header.copy() if from_cache else header
