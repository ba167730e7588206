"""Byte, integer and key-format helpers, with PyJWT 2.15.1's behaviour.

``base64url_decode`` here is the *lenient* decoder that PyJWT exposes
publicly (it discards characters outside the alphabet, as the standard
library does); token segments go through the strict decoder in
:mod:`cyjwt._core` instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve

__all__ = [
    "force_bytes",
    "base64url_decode",
    "base64url_encode",
    "to_base64url_uint",
    "from_base64url_uint",
    "number_to_bytes",
    "bytes_to_number",
    "bytes_from_int",
    "der_to_raw_signature",
    "raw_to_der_signature",
    "is_pem_format",
    "is_ssh_key",
]


def force_bytes(value: Union[bytes, str]) -> bytes:
    """Return *value* as bytes, encoding a ``str`` as UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise TypeError("Expected a string or bytes value")


def base64url_decode(input: Union[bytes, str]) -> bytes:
    """Decode unpadded base64url, restoring the padding first."""
    data = force_bytes(input)
    missing = -len(data) % 4
    if missing:
        data = data + b"=" * missing
    return base64.urlsafe_b64decode(data)


def base64url_encode(input: bytes) -> bytes:
    """Encode to base64url without ``=`` padding."""
    return base64.urlsafe_b64encode(input).rstrip(b"=")


def to_base64url_uint(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """Encode a non-negative integer big-endian, as JWK members do."""
    if val < 0:
        raise ValueError("Must be a positive integer")
    raw = bytes_from_int(val, bit_length=bit_length)
    return base64url_encode(raw or b"\x00")


def from_base64url_uint(val: Union[bytes, str]) -> int:
    """Decode a big-endian integer from base64url."""
    return int.from_bytes(base64url_decode(force_bytes(val)), "big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """Big-endian bytes of *num*, zero-filled on the left to *num_bytes*."""
    return binascii.unhexlify(format(num, f"0{2 * num_bytes}x"))


def bytes_to_number(string: bytes) -> int:
    """Read big-endian bytes as an integer (empty input is an error)."""
    return int(binascii.hexlify(string), 16)


def bytes_from_int(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """Big-endian bytes of *val*, as many as *bit_length* bits need."""
    bits = val.bit_length() if bit_length is None else bit_length
    return val.to_bytes((bits + 7) // 8, "big", signed=False)


def _curve_octets(curve: EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def der_to_raw_signature(der_sig: bytes, curve: EllipticCurve) -> bytes:
    """Turn a DER ECDSA signature into JOSE's fixed-width ``r || s``."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    width = _curve_octets(curve)
    r, s = decode_dss_signature(der_sig)
    return number_to_bytes(r, width) + number_to_bytes(s, width)


def raw_to_der_signature(raw_sig: bytes, curve: EllipticCurve) -> bytes:
    """Turn JOSE's fixed-width ``r || s`` into a DER ECDSA signature."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    width = _curve_octets(curve)
    if len(raw_sig) != 2 * width:
        raise ValueError("Invalid signature")
    r = bytes_to_number(raw_sig[:width])
    s = bytes_to_number(raw_sig[width:])
    return bytes(encode_dss_signature(r, s))


# PEM labels that mark asymmetric key material or certificates.  Both a
# BEGIN and a later END line of the same label must be present; dashes or
# a space may stand next to the label, as the cryptography loaders allow.
_PEM_LABELS = (
    b"SSH2 ENCRYPTED PRIVATE KEY",
    b"ENCRYPTED PRIVATE KEY",
    b"OPENSSH PRIVATE KEY",
    b"NEW CERTIFICATE REQUEST",
    b"CERTIFICATE REQUEST",
    b"TRUSTED CERTIFICATE",
    b"DSA PRIVATE KEY",
    b"RSA PRIVATE KEY",
    b"RSA PUBLIC KEY",
    b"EC PRIVATE KEY",
    b"SSH2 PUBLIC KEY",
    b"DH PARAMETERS",
    b"PRIVATE KEY",
    b"PUBLIC KEY",
    b"CERTIFICATE",
    b"X509 CRL",
)
# A lookahead so that overlapping markers are all seen.
_PEM_MARKER = re.compile(
    rb"(?=(----[- ](BEGIN|END) (" + b"|".join(map(re.escape, _PEM_LABELS)) + rb")[- ]----))"
)


def is_pem_format(key: bytes) -> bool:
    """True when *key* holds a BEGIN/END pair of a key or certificate label."""
    opened_at: dict[bytes, int] = {}
    for found in _PEM_MARKER.finditer(key):
        kind, label = found.group(2), found.group(3)
        if kind == b"BEGIN":
            opened_at[label] = found.end(1)
        elif label in opened_at and opened_at[label] < found.start(1):
            return True
    return False


_SSH_KEY_PREFIXES = (
    b"ssh-ed25519",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
)


def is_ssh_key(key: bytes) -> bool:
    """True when *key* starts like an OpenSSH public key line."""
    return key.startswith(_SSH_KEY_PREFIXES)


# Names PyJWT 2.15.1's module also has (imported there when cryptography is
# installed); kept so that ``from jwt.utils import ...`` finds them.
try:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve
    from cryptography.hazmat.primitives.asymmetric.utils import (  # noqa: F401
        decode_dss_signature,
        encode_dss_signature,
    )
except ModuleNotFoundError:  # pragma: no cover - without cryptography
    pass
