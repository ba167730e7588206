"""The pure twin's codecs: base64url, token splitting, HMAC-SHA2, JSON.

Part of :mod:`cyjwt._core_py`; the compiled twins are _core_b64.pxi,
_core_hmac.pxi, _core_json_read.pxi and _core_json_write.pxi.
"""

from __future__ import annotations

import binascii
import hmac
import json
from typing import Any, NoReturn

from ._texts import (
    ALG_MISSING,
    BAD_PADDING,
    BASE64URL_ALPHABET,
    NOT_ENOUGH_SEGMENTS,
)
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
)

_ALPHABET = BASE64URL_ALPHABET
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")
# For the last character of a segment whose length is 2 or 3 (mod 4): the
# low bits that must be zero for the encoding to be the canonical one.
_SPARE_BITS_MASK = {2: 0x0F, 3: 0x03}
# The core's hash names ("SHA256") lower-cased are hashlib's.
_CORE_HASHES = ("SHA256", "SHA384", "SHA512")


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
        raise DecodeError(BAD_PADDING.format(name))
    remainder = len(stripped) % 4
    if remainder == 1 or stripped.translate(None, _ALPHABET):
        raise DecodeError(BAD_PADDING.format(name))
    if remainder and _ALPHABET.index(stripped[-1]) & _SPARE_BITS_MASK[remainder]:
        raise DecodeError(BAD_PADDING.format(name))
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
        raise DecodeError(NOT_ENOUGH_SEGMENTS) from err


def _missing_alg() -> NoReturn:
    """PyJWT looks ``alg`` up and turns the KeyError into this (context kept)."""
    try:
        raise KeyError("alg")
    except KeyError:
        raise InvalidAlgorithmError(ALG_MISSING) from None


def _hashlib_name(hash_name: str) -> str:
    if hash_name not in _CORE_HASHES:
        raise KeyError(hash_name)
    return hash_name.lower()


def hmac_sign(hash_name: str, key: bytes, msg: bytes) -> bytes:
    """HMAC of *msg* under *key* with ``SHA256``, ``SHA384`` or ``SHA512``."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    return hmac.digest(key, msg, _hashlib_name(hash_name))


def hmac_verify(hash_name: str, key: bytes, msg: bytes, sig: bytes) -> bool:
    """Constant-time check that *sig* is the HMAC of *msg* under *key*."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    _require_bytes(sig, "sig")
    return hmac.compare_digest(sig, hmac.digest(key, msg, _hashlib_name(hash_name)))


def json_loads(data: bytes) -> Any:
    """``json.loads(data)``; the compiled twin reads common documents faster."""
    _require_bytes(data, "data")
    return json.loads(data)


def json_dumps(obj: Any) -> bytes:
    """``json.dumps(obj, separators=(",", ":")).encode()``."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")
