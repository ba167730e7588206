"""The ``HS*`` family: :class:`HMACAlgorithm` and the checks on its secrets.

Part of :mod:`cyjwt.algorithms`, which re-exports the class; the MAC itself
is computed by :mod:`cyjwt._core`.  Besides the class this module holds the
refusal of secrets that are really asymmetric keys or JWKs (the
algorithm-confusion guard of ``prepare_key``).  Needs only the standard
library; ``cryptography``, when present, is used to recognise DER keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar, Literal, overload

from . import _core
from ._algorithms_base import (
    Algorithm,
    crypto_available,
    has_crypto,
    in_public_module,
    parse_jwk_argument,
)
from .exceptions import InvalidKeyError
from .types import HashlibHash, JWKDict
from .utils import base64url_decode, base64url_encode, force_bytes, is_pem_format, is_ssh_key

if has_crypto:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_public_key


_ASYMMETRIC_AS_SECRET = (
    "The specified key is an asymmetric key or x509 certificate and"
    " should not be used as an HMAC secret."
)
_JWK_AS_SECRET = (
    "The specified key looks like a JWK and should not be "
    "used directly as an HMAC secret. Load it via "
    "PyJWK / HMACAlgorithm.from_jwk first."
)
_JSON_BLANKS = " \t\r\n"


def _integer_placeholder(_digits: str) -> int:
    # Integers are irrelevant to the JWK check; not converting them also
    # keeps huge ones from tripping the int-conversion digit limit.
    return 0


def _contains_jwk_object(document: Any) -> bool:
    """Whether an object with a ``kty`` member occurs anywhere in *document*."""
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "kty" in node:
                return True
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def _has_kty_member_name(text: str) -> bool:
    """Textual search for a ``"kty"`` object member name.

    Used only for documents too deeply nested to parse: every string
    literal followed (after JSON whitespace) by a colon is decoded and
    compared with ``kty``.
    """
    size = len(text)
    position = 0
    while True:
        opening = text.find('"', position)
        if opening < 0:
            return False
        closing = opening + 1
        while closing < size:
            char = text[closing]
            if char == "\\":
                closing += 2
            elif char == '"':
                break
            else:
                closing += 1
        if closing >= size:
            return False
        after = closing + 1
        while after < size and text[after] in _JSON_BLANKS:
            after += 1
        if after < size and text[after] == ":":
            try:
                name = json.loads(text[opening : closing + 1])
            except ValueError:
                name = None
            if name == "kty":
                return True
        position = closing + 1


def _too_deep_looks_like_jwk(key_bytes: bytes) -> bool:
    """The JWK verdict for a key whose JSON nesting is too deep to parse.

    Any such document that opens with an object is refused; one that opens
    with an array is refused when a ``kty`` member name occurs in it.
    """
    try:
        text = key_bytes.decode(json.detect_encoding(key_bytes), errors="surrogatepass")
    except UnicodeError:
        text = ""
    head = text.lstrip("\ufeff" + _JSON_BLANKS)
    if head.startswith("{"):
        return True
    return head.startswith("[") and _has_kty_member_name(text)


#: The hashes the compiled core computes itself, by hashlib constructor,
#: with the core's name for each (the one map: _fastpath hands it over).
CORE_HASH_NAMES: dict[Any, str] = {
    hashlib.sha256: "SHA256",
    hashlib.sha384: "SHA384",
    hashlib.sha512: "SHA512",
}


@in_public_module
class HMACAlgorithm(Algorithm):
    """``HS256``/``HS384``/``HS512``: HMAC with a SHA-2 hash.

    *hash_alg* is a :mod:`hashlib` constructor.  For the three SHA-2
    constructors the MAC is computed and compared (in constant time) by
    the compiled core; any other constructor goes through :mod:`hmac`.
    """

    SHA256: ClassVar[HashlibHash] = hashlib.sha256
    SHA384: ClassVar[HashlibHash] = hashlib.sha384
    SHA512: ClassVar[HashlibHash] = hashlib.sha512

    def __init__(self, hash_alg: HashlibHash) -> None:
        self.hash_alg = hash_alg

    @staticmethod
    def _is_der_key(key_bytes: bytes) -> bool:
        if not crypto_available():
            return False
        for loader in (load_der_public_key, x509.load_der_x509_certificate):
            try:
                loader(key_bytes)
            except (TypeError, ValueError, UnsupportedAlgorithm):
                continue
            return True
        return False

    def prepare_key(self, key: str | bytes) -> bytes:
        key_bytes = force_bytes(key)

        if not key_bytes:
            raise InvalidKeyError("HMAC key must not be empty.")

        if is_pem_format(key_bytes) or is_ssh_key(key_bytes) or self._is_der_key(key_bytes):
            raise InvalidKeyError(_ASYMMETRIC_AS_SECRET)

        # A token's header chooses the algorithm, so a public key or JWK
        # handed to a verifier could otherwise be used as an HMAC secret
        # by an attacker (algorithm confusion).  Text that parses as JSON
        # holding an object with a "kty" member is refused.
        try:
            document = json.loads(key_bytes, parse_int=_integer_placeholder)
        except RecursionError:
            # Refused inside the handler, so the RecursionError stays the
            # exception's __context__, as in PyJWT.
            if _too_deep_looks_like_jwk(key_bytes):
                raise InvalidKeyError(_JWK_AS_SECRET) from None
            document = None
        except ValueError:
            document = None
        if _contains_jwk_object(document):
            raise InvalidKeyError(_JWK_AS_SECRET)

        return key_bytes

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: bool = False) -> JWKDict | str:
        jwk = {"k": base64url_encode(force_bytes(key_obj)).decode(), "kty": "oct"}
        return jwk if as_dict else json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> bytes:
        obj = parse_jwk_argument(jwk)
        if obj.get("kty") != "oct":
            raise InvalidKeyError("Not an HMAC key")
        secret = base64url_decode(obj["k"])
        if not secret:
            raise InvalidKeyError("HMAC key must not be empty.")
        return secret

    def check_key_length(self, key: bytes) -> str | None:
        recommended = self.hash_alg().digest_size
        if len(key) >= recommended:
            return None
        return (
            f"The HMAC key is {len(key)} bytes long, which is below "
            f"the minimum recommended length of {recommended} bytes for "
            f"{self.hash_alg().name.upper()}. See RFC 7518 Section 3.2."
        )

    def _core_hash_name(self) -> str | None:
        """The core's name for ``hash_alg``, or None when the core lacks it."""
        return CORE_HASH_NAMES.get(self.hash_alg)

    def sign(self, msg: bytes, key: bytes) -> bytes:
        hash_name = self._core_hash_name()
        if hash_name is not None and type(key) is bytes and type(msg) is bytes:
            return _core.hmac_sign(hash_name, key, msg)
        return hmac.new(key, msg, self.hash_alg).digest()

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        # A sign() overridden in a subclass, patched on the class or set on
        # the instance is what verify() compares against, as in PyJWT.
        sign = self.sign
        if getattr(sign, "__func__", None) is _ORIGINAL_SIGN:
            hash_name = self._core_hash_name()
            if (
                hash_name is not None
                and type(key) is bytes
                and type(msg) is bytes
                and type(sig) is bytes
            ):
                return bool(_core.hmac_verify(hash_name, key, msg, sig))
        return hmac.compare_digest(sig, sign(msg, key))


# HMACAlgorithm.sign as defined, before any caller can patch it.
_ORIGINAL_SIGN = HMACAlgorithm.sign
