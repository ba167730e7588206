"""Type stubs for the compiled core, :mod:`cyjwt._core_c` (``_core_c.pyx``).

It exports the same names as the pure twin, :mod:`cyjwt._core_py`, plus
``OPENSSL_VERSION``; :mod:`cyjwt._core` picks one of the two.
"""

from typing import Any, Final

IMPLEMENTATION: Final = "cython"
#: ``OpenSSL_version(OPENSSL_VERSION)`` of the libcrypto the core is linked
#: to, e.g. ``"OpenSSL 3.0.22 1 Jul 2026"``.
OPENSSL_VERSION: Final[str]

def b64url_encode(data: bytes | bytearray | memoryview) -> bytes:
    """base64url without padding."""

def b64url_decode_segment(segment: bytes, name: str) -> bytes:
    """Strictly decode one token segment; ``DecodeError`` on bad padding."""

def split_token(token: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Split a compact JWS into (signing input, header, payload, signature)."""

def hmac_sign(hash_name: str, key: bytes, msg: bytes) -> bytes:
    """HMAC of *msg* under *key* with ``SHA256``, ``SHA384`` or ``SHA512``."""

def hmac_verify(hash_name: str, key: bytes, msg: bytes, sig: bytes) -> bool:
    """Constant-time check that *sig* is the HMAC of *msg* under *key*."""

def json_loads(data: bytes) -> Any:
    """``json.loads(data)`` for bytes."""

def json_dumps(obj: Any) -> bytes:
    """``json.dumps(obj, separators=(",", ":")).encode()``."""

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

def clear_caches() -> None:
    """Forget cached keys and class checks."""

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
    """PyJWT.decode / decode_complete in one call; ``None``: not ours."""

def jwt_encode(
    self: Any,
    payload: Any,
    key: Any,
    algorithm: Any,
    headers: Any,
    json_encoder: Any,
    sort_headers: Any,
) -> str | None:
    """PyJWT.encode of a plain dict with an HS* key; ``None``: not ours."""

def jws_header(self: Any, token: Any) -> Any:
    """PyJWS.get_unverified_header in one call; None when the call is not the core's."""
