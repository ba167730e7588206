"""Type stubs for the compiled core, :mod:`cyjwt._core_c` (``_core_c.pyx``).

It exports the same names as the pure twin, :mod:`cyjwt._core_py`, plus
``OPENSSL_VERSION``; :mod:`cyjwt._core` picks one of the two.
``tests/test_core_exports.py`` checks that the three agree.
"""

from typing import Any, Callable, Final, TypeVar

__all__ = [
    "IMPLEMENTATION",
    "OPENSSL_VERSION",
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

IMPLEMENTATION: Final = "cython"
#: ``OpenSSL_version(OPENSSL_VERSION)`` of the libcrypto the core is linked
#: to, e.g. ``"OpenSSL 3.0.22 1 Jul 2026"``.
OPENSSL_VERSION: Final[str]

def b64url_encode(data: Any) -> bytes:
    """base64url without padding, of bytes or any other bytes-like object."""

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

def fast_setup(wiring: Any) -> None:
    """Take what the fast path checks against from *wiring* (a CoreWiring)."""

def clear_caches() -> None:
    """Forget cached keys and class checks (tests)."""

class ClaimPolicy:
    """One decode configuration's claim checks, prepared once and reusable."""

    @property
    def options(self) -> dict[str, Any]: ...
    @property
    def audience(self) -> Any: ...
    @property
    def issuer(self) -> Any: ...
    @property
    def subject(self) -> Any: ...
    @property
    def leeway(self) -> Any: ...

def claim_policy(
    options: Any, audience: Any = None, issuer: Any = None, subject: Any = None, leeway: Any = 0
) -> ClaimPolicy | None:
    """A ClaimPolicy for merged options and the claim arguments; None: the general path's."""

def check_claims(jwt_obj: Any, policy: ClaimPolicy, payload: dict[str, Any]) -> bool:
    """Check *payload* against *policy* as *jwt_obj*._validate_claims would;
    False (nothing checked) when that method must run instead."""

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

def jwt_decode_policy(
    self: Any,
    key: Any,
    algorithms: Any,
    policy: ClaimPolicy,
    complete: bool,
    fallback: Callable[[Any, Any, bool], Any],
    token: Any,
) -> Any:
    """jwt_decode with the claim arguments prepared once; ``fallback(token,
    key, complete)`` when the core declines."""

def jwt_encode(
    self: Any,
    payload: Any,
    key: Any,
    algorithm: Any,
    headers: Any,
    json_encoder: Any,
    sort_headers: Any,
) -> str | None:
    """PyJWT.encode of a plain dict with a built-in algorithm; ``None``: not ours."""

def jws_header(self: Any, token: Any) -> Any:
    """PyJWS.get_unverified_header in one call; ``None``: not ours."""

_Method = TypeVar("_Method")

def fast_entry(method: _Method) -> _Method:
    """The global PyJWT's/PyJWS's bound decode, decode_complete, encode or
    get_unverified_header as a bound C function with the same behaviour."""
