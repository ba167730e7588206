"""The pure twin's one-call decode and encode, claim policy and wiring.

Part of :mod:`cyjwt._core_py`.
"""

from __future__ import annotations

import hmac
import json
from typing import Any, Callable, Optional

from . import _core_py_wiring as _w
from ._core_py_claims import _claims_checked
from ._core_py_codec import (
    _b64url_decode_quick,
    _json_quick,
    _missing_alg,
    _split,
    b64url_decode_segment,
    b64url_encode,
)
from ._core_py_wiring import (
    _HEADER_SEGMENTS,
    _MAX_DEPTH,
    _algorithm_kind,
    _class_ok,
    _key_state,
    _may_be_deep_json,
    _plain_jwt,
    _plain_world,
)
from ._texts import (
    ALG_NOT_ALLOWED,
    BAD_JSON,
    ENCODE_ISS_NOT_STRING,
    HEADER_NOT_OBJECT,
    KID_NOT_STRING,
    PAYLOAD_NOT_OBJECT,
    SIGNATURE_FAILED,
)
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    InvalidTokenError,
)

_NOT_OURS: Any = object()


def _parse_json_segment(data: bytes, what: str) -> Any:
    """The segment's JSON value, or _NOT_OURS for a document too deep here."""
    if _may_be_deep_json(data):
        return _NOT_OURS
    value = _json_quick(data)
    if value is not None:
        return value
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as err:
        raise DecodeError(BAD_JSON.format(what, err)) from err


class _Cache:
    """The last header segment read, with its parsed value (see _core_decode.pxi)."""

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
    None when the token is not ours to read (not bytes or an ASCII str),
    its header is nested too deeply to read here, or it asks for the
    general path (``b64``, ``crit``).
    """
    if type(token) is bytes:
        data = token
    elif type(token) is str and token.isascii():
        data = token.encode("ascii")
    else:
        return None
    signing_input, header_segment, payload_segment, crypto_segment = _split(data)
    entry = _Cache.last_header  # one read: another thread may replace it
    if entry is not None and entry[0] == header_segment:
        header, from_cache = entry[1], True
    else:
        header = _parse_json_segment(_b64url_decode_quick(header_segment, "header"), "header")
        if header is _NOT_OURS:
            return None
        if type(header) is not dict:
            raise DecodeError(HEADER_NOT_OBJECT)
        _remember_header(header_segment, header)
        from_cache = False
    if "b64" in header or "crit" in header:
        return None
    return header, from_cache, signing_input, payload_segment, crypto_segment


class ClaimPolicy:
    """One decode configuration's claim checks, prepared once and reusable.

    Build it with :func:`claim_policy`.  The checks themselves are
    PyJWT._validate_claims as defined in api_jwt.py.
    """

    __slots__ = ("audience", "issuer", "leeway", "options", "subject")

    def __init__(
        self, options: dict[str, Any], audience: Any, issuer: Any, subject: Any, leeway: Any
    ) -> None:
        self.options = options
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.leeway = leeway


_PLAIN_CONTAINERS = (list, tuple, set, frozenset)
_SWITCHES = frozenset(
    (
        "verify_iat",
        "verify_nbf",
        "verify_exp",
        "verify_iss",
        "verify_aud",
        "verify_sub",
        "verify_jti",
    )
)


def _claims_ours(options: Any, audience: Any, issuer: Any, subject: Any, leeway: Any) -> bool:
    """The compiled core's _fill_claims conditions: which claim arguments
    it checks itself (the rest is the general path's)."""
    if (
        audience is not None
        and type(audience) is not str
        and type(audience) not in _PLAIN_CONTAINERS
    ):
        return False
    if issuer is not None and type(issuer) is not str and type(issuer) not in _PLAIN_CONTAINERS:
        return False
    if subject is not None and type(subject) is not str:
        return False
    kind = type(leeway)
    if kind is int:
        if not -(1 << 53) <= leeway <= (1 << 53):
            return False
    elif kind is not float and kind is not _w._wiring.timedelta_class:
        return False
    if type(options.get("require")) not in (list, tuple):
        return False
    if not options.keys() >= _SWITCHES:
        return False
    return not (options["verify_aud"] and options.get("strict_aud"))


def claim_policy(
    options: Any, audience: Any = None, issuer: Any = None, subject: Any = None, leeway: Any = 0
) -> Optional[ClaimPolicy]:
    """A :class:`ClaimPolicy` for merged *options* (PyJWT._merge_options'
    result) and the claim arguments, or None when the general path must
    check such claims."""
    if type(options) is not dict:
        return None
    options = options.copy()  # a caller mutating its dict later changes nothing
    if type(options.get("require")) is list:
        options["require"] = tuple(options["require"])
    if not _claims_ours(options, audience, issuer, subject, leeway):
        return None
    return ClaimPolicy(options, audience, issuer, subject, leeway)


def check_claims(jwt_obj: Any, policy: ClaimPolicy, payload: dict[str, Any]) -> bool:
    """Check *payload* against *policy* now, with *jwt_obj*'s own
    _validate_claims (so whatever it was changed to is honoured); True."""
    if type(policy) is not ClaimPolicy or type(payload) is not dict:
        raise TypeError("check_claims() takes a ClaimPolicy and a dict")
    jwt_obj._validate_claims(
        payload,
        policy.options,
        audience=policy.audience,
        issuer=policy.issuer,
        subject=policy.subject,
        leeway=policy.leeway,
    )
    return True


def _usable_call(jwt_obj: Any, key: Any) -> bool:
    """A plain PyJWT, the real datetime (freezegun patches it), and a key
    that is not a PyJWK (it brings its own algorithm)."""
    wiring = _w._wiring
    if not _plain_jwt(jwt_obj):
        return False
    if not _plain_world(True):
        return False
    return not isinstance(key, wiring.pyjwk_class)


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
    if not _usable_call(self, key):
        return None
    if options is not None and type(options) is not dict:
        return None
    verify = options is None or options.get("verify_signature", True)
    if verify and (type(algorithms) not in (list, tuple) or not algorithms):
        return None  # the general path raises (or takes a str) as PyJWT does
    merged = self._merge_options(options)
    if type(merged) is not dict:
        return None
    decoded = _decode(self._jws, token, key, algorithms if verify else None)
    if decoded is None:
        return None
    payload, header, signature = decoded
    # The general path's claim checks (this object is a plain PyJWT), inline
    # where the arguments are the common ones.
    if not _claims_checked(payload, merged, audience, issuer, subject, leeway):
        self._validate_claims(
            payload, merged, audience=audience, issuer=issuer, leeway=leeway, subject=subject
        )
    if complete:
        return {"payload": payload, "header": _own(header), "signature": signature}
    return payload


def jwt_decode_policy(
    self: Any,
    key: Any,
    algorithms: Any,
    policy: ClaimPolicy,
    complete: bool,
    fallback: Callable[[Any, Any, bool], Any],
    token: Any,
) -> Any:
    """jwt_decode with the claim arguments prepared once, in *policy*, for a
    prebound verifier: *algorithms* is a non-empty list or tuple (checked
    once by the caller).  When the core declines the call, the answer is
    ``fallback(token, key, complete)``; *token* comes last so that a
    verifier can bind everything else once (functools.partial).
    """
    if type(policy) is not ClaimPolicy:
        raise TypeError("jwt_decode_policy() takes a ClaimPolicy")
    decoded = _decode(self._jws, token, key, algorithms) if _usable_call(self, key) else None
    if decoded is None:
        return fallback(token, key, complete)
    payload, header, signature = decoded
    # As in jwt_decode: this object is a plain PyJWT (_usable_call).
    if not _claims_checked(
        payload, policy.options, policy.audience, policy.issuer, policy.subject, policy.leeway
    ):
        check_claims(self, policy, payload)
    if complete:
        return {"payload": payload, "header": _own(header), "signature": signature}
    return payload


class _CachedHeader:
    """A header from the last-header cache, which must stay private."""

    __slots__ = ("header",)

    def __init__(self, header: dict[str, Any]) -> None:
        self.header = header


def _own(header: Any) -> dict[str, Any]:
    return header.header.copy() if type(header) is _CachedHeader else header


def _decode(
    jws: Any, token: Any, key: Any, algorithms: Any
) -> Optional[tuple[dict[str, Any], Any, bytes]]:
    """(payload, header, signature) of a token whose signature holds (not
    verified when *algorithms* is None; a cached header wrapped: the caller
    copies it before handing it out); None: the general path's."""
    read = _token_header(token)
    if read is None:
        return None
    header, from_cache, signing_input, payload_segment, crypto_segment = read
    payload_data = _b64url_decode_quick(payload_segment, "payload")
    signature = _b64url_decode_quick(crypto_segment, "crypto")
    if algorithms is None:  # options={"verify_signature": False}
        if "kid" in header and type(header["kid"]) is not str:
            raise InvalidTokenError(KID_NOT_STRING)
    elif not _signature_holds(jws, signing_input, header, algorithms, key, signature):
        return None
    payload = _parse_json_segment(payload_data, "payload")
    if payload is _NOT_OURS:
        return None
    if type(payload) is not dict:
        raise DecodeError(PAYLOAD_NOT_OBJECT)
    if from_cache:
        return payload, _CachedHeader(header), signature  # copied only if handed out
    return payload, header, signature


def _signature_holds(
    jws: Any,
    signing_input: bytes,
    header: dict[str, Any],
    algorithms: Any,
    key: Any,
    signature: bytes,
) -> bool:
    """PyJWS._verify_signature (with _validate_kid before it): raises what
    it raises; False when the general path must verify instead."""
    wiring = _w._wiring
    if "kid" in header and type(header["kid"]) is not str:
        raise InvalidTokenError(KID_NOT_STRING)
    if "alg" not in header:
        _missing_alg()
    alg = header["alg"]
    if not alg or alg not in algorithms:
        raise InvalidAlgorithmError(ALG_NOT_ALLOWED)
    if type(alg) is not str:
        return False
    alg_obj = _registered(jws, alg)
    kind = _algorithm_kind(alg_obj)
    if kind == 1:
        hash_name = wiring.hash_names.get(alg_obj.hash_alg)
        if hash_name is None or (type(key) is not str and type(key) is not bytes):
            return False
        state = _key_state(alg_obj, hash_name, key)
        if state is None or state[1] is not None:
            return False  # the general path warns, from the frames PyJWT warns from
        pads = state[2]
        if pads is not None:
            expected = pads.digest(signing_input)
        else:
            expected = hmac.digest(state[0], signing_input, hash_name.lower())
        if not hmac.compare_digest(signature, expected):
            raise InvalidSignatureError(SIGNATURE_FAILED)
        return True
    if kind == 2:
        prepared = wiring.prepare_key(alg_obj, key)
        if alg_obj.check_key_length(prepared) is not None:
            return False  # the general path warns, from the frames PyJWT warns from
        if not alg_obj.verify(signing_input, prepared, signature):
            raise InvalidSignatureError(SIGNATURE_FAILED)
        return True
    return False


def _registered(jws: Any, alg: str) -> Any:
    """The algorithm object *jws* has registered as *alg*, or None."""
    registry = jws._algorithms
    return registry.get(alg) if type(registry) is dict else None


def _header_segment(
    alg: str, sort_keys: bool, extra: Optional[tuple[tuple[str, str], ...]]
) -> bytes:
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


def _plain_json(value: Any, depth: int = 0) -> bool:
    """Whether the compiled writer would write *value* itself: plain types,
    str keys, not too deep (the rest is json.dumps' on the general path)."""
    kind = type(value)
    if kind is dict:
        return depth < _MAX_DEPTH and all(
            type(name) is str and _plain_json(item, depth + 1) for name, item in value.items()
        )
    if kind is list or kind is tuple:
        return depth < _MAX_DEPTH and all(_plain_json(item, depth + 1) for item in value)
    return kind in _IMMUTABLE_TYPES


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
    wiring = _w._wiring
    if json_encoder is not None or type(payload) is not dict:
        return None
    extra = _plain_extra_headers(headers)
    if extra is False:
        return None
    if isinstance(key, wiring.pyjwk_class):
        return None
    if algorithm is wiring.algorithm_unset:
        algorithm = "HS256"
    elif type(algorithm) is not str:
        return None
    if not _plain_jwt(self) or not _plain_world(False):
        return None
    jws = self._jws
    typ = jws.header_typ
    if type(typ) is not str or typ != "JWT":
        return None
    alg_obj = _registered(jws, algorithm)
    kind = _algorithm_kind(alg_obj)
    hash_name = None
    if kind == 1:
        hash_name = wiring.hash_names.get(alg_obj.hash_alg)
        if hash_name is None or (type(key) is not str and type(key) is not bytes):
            return None
    elif kind == 0:
        return None
    header_segment = _header_segment(algorithm, bool(sort_headers), extra)

    copied = False
    for claim in ("exp", "iat", "nbf"):
        value = payload.get(claim)
        if isinstance(value, wiring.datetime_class):
            if not copied:
                payload = payload.copy()
                copied = True
            payload[claim] = wiring.timegm(value.utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError(ENCODE_ISS_NOT_STRING)
    if not _plain_json(payload):
        return None  # json.dumps writes it on the general path, from PyJWT's frames
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")

    if hash_name is not None:
        state = _key_state(alg_obj, hash_name, key)
        if state is None:
            return None
        prepared, message, pads = state
    else:
        pads = None
        prepared = wiring.prepare_key(alg_obj, key)
        message = alg_obj.check_key_length(prepared)
    if message is not None:
        return None  # the general path warns, from the frames PyJWT warns from
    signing_input = header_segment + b"." + b64url_encode(body)
    if pads is not None:
        signature = pads.digest(signing_input)
    elif hash_name is not None:
        signature = hmac.digest(prepared, signing_input, hash_name.lower())
    else:
        signature = alg_obj.sign(signing_input, prepared)
    return (signing_input + b"." + b64url_encode(signature)).decode("utf-8")


def jws_header(self: Any, token: Any) -> Any:
    """PyJWS.get_unverified_header in one call; None: not ours.

    The payload and signature segments are still checked for strict
    base64url, as the general path does.
    """
    if not _class_ok(type(self)) or len(vars(self)) != _w._wiring.jws_attrs:
        return None
    if not _plain_world(True):
        return None
    read = _token_header(token)
    if read is None:
        return None
    header, from_cache, _signing_input, payload_segment, crypto_segment = read
    b64url_decode_segment(payload_segment, "payload")
    b64url_decode_segment(crypto_segment, "crypto")
    if "kid" in header and type(header["kid"]) is not str:
        raise InvalidTokenError(KID_NOT_STRING)
    return header.copy() if from_cache else header
