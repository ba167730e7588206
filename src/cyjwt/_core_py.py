"""Pure-Python twin of the compiled core (:mod:`cyjwt._core_c`).

Every public function here has the same signature and the same behaviour,
exceptions included, as its compiled namesake; :mod:`cyjwt._core` picks
one of the two.  Keep them in step: ``tests/test_core.py`` runs the same
cases against both.
"""

from __future__ import annotations

import binascii
import hmac

from .exceptions import DecodeError

__all__ = [
    "IMPLEMENTATION",
    "b64url_encode",
    "b64url_decode_segment",
    "split_token",
    "hmac_sign",
    "hmac_verify",
]

IMPLEMENTATION = "python"

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")
# For the last character of a segment whose length is 2 or 3 (mod 4): the
# low bits that must be zero for the encoding to be the canonical one.
_SPARE_BITS_MASK = {2: 0x0F, 3: 0x03}
_HASH_NAMES = {"SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


def b64url_encode(data: bytes) -> bytes:
    """base64url without padding."""
    return binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL).rstrip(b"=")


def b64url_decode_segment(segment: bytes, name: str) -> bytes:
    """Strictly decode one token segment.

    Accepts only the canonical unpadded encoding, or that encoding with the
    one or two ``=`` that complete its last group.  Anything else raises
    ``DecodeError("Invalid <name> padding")``, as PyJWT 2.15.1 does.
    """
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
    signing_input, dot, crypto = token.rpartition(b".")
    header, dot2, payload = signing_input.partition(b".")
    if not dot or not dot2:
        # PyJWT's error is chained to the unpacking ValueError behind it.
        raise DecodeError("Not enough segments") from ValueError(
            "not enough values to unpack (expected 2, got 1)"
        )
    return signing_input, header, payload, crypto


def hmac_sign(hash_name: str, key: bytes, msg: bytes) -> bytes:
    """HMAC of *msg* under *key* with ``SHA256``, ``SHA384`` or ``SHA512``."""
    return hmac.digest(key, msg, _HASH_NAMES[hash_name])


def hmac_verify(hash_name: str, key: bytes, msg: bytes, sig: bytes) -> bool:
    """Constant-time check that *sig* is the HMAC of *msg* under *key*."""
    return hmac.compare_digest(sig, hmac.digest(key, msg, _HASH_NAMES[hash_name]))
