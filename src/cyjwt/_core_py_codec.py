"""The pure twin's codecs: base64url, token splitting, HMAC-SHA2, JSON.

Part of :mod:`cyjwt._core_py`; the compiled twins are _core_b64.pxi,
_core_hmac.pxi, _core_json_read.pxi and _core_json_write.pxi.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import sys
from typing import Any, Callable, NoReturn, Optional

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

# The quick decode (_b64url_decode_quick): the base64url alphabet mapped to
# the standard one, and the standard alphabet's own '+' and '/' to a byte
# binascii refuses in strict mode, so one translate also validates; the
# '=' that complete the last group, by segment length mod 4 (1 is never
# valid); per remainder, a table saying which last characters leave
# non-zero spare bits (a non-canonical encoding).
_STRICT_A2B = sys.version_info >= (3, 11)  # binascii.a2b_base64(strict_mode=)
_URL_TO_STD_CHECKED = bytes.maketrans(b"-_+/", b"+/!!")
_COMPLETION = (b"", b"", b"==", b"=")
_NON_CANONICAL = tuple(
    bytes(
        1 if char in _ALPHABET and _ALPHABET.index(char) & _SPARE_BITS_MASK[rem] else 0
        for char in range(256)
    )
    if rem in _SPARE_BITS_MASK
    else b""
    for rem in range(4)
)


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


def _b64url_decode_quick(segment: bytes, name: str) -> bytes:
    """b64url_decode_segment for a *segment* known to be bytes: the common
    case (canonical, unpadded) in one translate and one strict
    binascii call; anything else, errors included, is
    b64url_decode_segment's (raised from here, with no context)."""
    if _STRICT_A2B and segment[-1:] != b"=":
        remainder = len(segment) % 4
        if remainder != 1 and not (remainder and _NON_CANONICAL[remainder][segment[-1]]):
            try:
                return binascii.a2b_base64(
                    segment.translate(_URL_TO_STD_CHECKED) + _COMPLETION[remainder],
                    strict_mode=True,
                )
            except binascii.Error:
                pass
    return b64url_decode_segment(segment, name)


def split_token(token: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Split a compact JWS into (signing input, header, payload, signature).

    The signature is what follows the last dot, the header what precedes
    the first one; the payload is everything between, dots included.
    """
    _require_bytes(token, "token")
    return _split(token)


def _split(token: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """split_token for a *token* known to be bytes."""
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


class HmacPads:
    """A key's HMAC state, hashed once: the inner and outer padded keys
    absorbed (RFC 2104), copied for each message."""

    __slots__ = ("inner", "outer")

    def __init__(self, hash_name: str, key: bytes) -> None:
        inner = hashlib.new(hash_name)
        outer = hashlib.new(hash_name)
        block = inner.block_size
        if len(key) > block:
            key = hashlib.new(hash_name, key).digest()
        key = key.ljust(block, b"\0")
        inner.update(key.translate(_IPAD))
        outer.update(key.translate(_OPAD))
        self.inner = inner
        self.outer = outer

    def digest(self, msg: bytes) -> bytes:
        """``hmac.digest(key, msg, hash_name)``."""
        inner = self.inner.copy()
        inner.update(msg)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.digest()


_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))

# json.loads' own decoder, for the documents _json_quick reads.
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]]
_SCAN_ONCE = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json_quick(data: bytes) -> Optional[Any]:
    """``json.loads(data)`` for the common document, a UTF-8 JSON object
    with nothing before or after it; None for anything else (json.loads
    then decides, errors included: none is raised here)."""
    # json.loads reads bytes starting b"{" as UTF-8 unless a NUL follows
    # (detect_encoding), then scans from the first non-blank character and
    # refuses anything after the value but blanks.
    if data[:1] != b"{" or data[1:2] == b"\0":
        return None
    try:
        text = data.decode("utf-8", "surrogatepass")
        value, end = _SCAN_ONCE(text, 0)
    except Exception:  # json.loads raises it again, from the caller's frames
        return None
    return value if end == len(text) else None


def json_loads(data: bytes) -> Any:
    """``json.loads(data)``; the compiled twin reads common documents faster."""
    _require_bytes(data, "data")
    return json.loads(data)


def json_dumps(obj: Any) -> bytes:
    """``json.dumps(obj, separators=(",", ":")).encode()``."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")
