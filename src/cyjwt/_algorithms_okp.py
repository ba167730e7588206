"""The ``EdDSA`` algorithm: :class:`OKPAlgorithm`, with Ed25519 and Ed448
keys in PEM, OpenSSH or JWK (``kty`` ``OKP``) form.

Part of :mod:`cyjwt.algorithms`, which re-exports the class and imports this
module only when ``cryptography`` is installed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_public_key,
)

from ._algorithms_base import Algorithm, AllowedOKPKeys, in_public_module, parse_jwk_argument
from .exceptions import InvalidKeyError
from .types import JWKDict
from .utils import base64url_decode, base64url_encode, force_bytes

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

_OKP_PRIVATE = (Ed25519PrivateKey, Ed448PrivateKey)
_OKP_PUBLIC = (Ed25519PublicKey, Ed448PublicKey)


@in_public_module
class OKPAlgorithm(Algorithm):
    """``EdDSA`` with Ed25519 or Ed448 keys."""

    _crypto_key_types = (
        Ed25519PrivateKey,
        Ed25519PublicKey,
        Ed448PrivateKey,
        Ed448PublicKey,
    )

    def __init__(self, **kwargs: Any) -> None:
        pass

    def prepare_key(self, key: AllowedOKPKeys | str | bytes) -> AllowedOKPKeys:
        if not isinstance(key, (str, bytes)):
            self.check_crypto_key_type(key)
            return key

        if isinstance(key, bytes):
            key_text, key_bytes = key.decode("utf-8"), key
        else:
            key_text, key_bytes = key, key.encode("utf-8")

        loaded: PublicKeyTypes | PrivateKeyTypes
        if "-----BEGIN PUBLIC" in key_text:
            loaded = load_pem_public_key(key_bytes)
        elif "-----BEGIN PRIVATE" in key_text:
            loaded = load_pem_private_key(key_bytes, password=None)
        elif key_text[:4] == "ssh-":
            loaded = load_ssh_public_key(key_bytes)
        else:
            raise InvalidKeyError("Not a public or private key")

        self.check_crypto_key_type(loaded)
        return cast(AllowedOKPKeys, loaded)

    def sign(self, msg: str | bytes, key: Ed25519PrivateKey | Ed448PrivateKey) -> bytes:
        """Sign *msg* (text is UTF-8 encoded) with an EdDSA private key."""
        data = msg.encode("utf-8") if isinstance(msg, str) else msg
        signature: bytes = key.sign(data)
        return signature

    def verify(self, msg: str | bytes, key: AllowedOKPKeys, sig: str | bytes) -> bool:
        """Check *sig* over *msg* with an EdDSA key (a private key is
        reduced to its public half); text arguments are UTF-8 encoded."""
        try:
            data = msg.encode("utf-8") if isinstance(msg, str) else msg
            signature = sig.encode("utf-8") if isinstance(sig, str) else sig
            public = key.public_key() if isinstance(key, _OKP_PRIVATE) else key
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: bool = False) -> JWKDict | str:
        def raw_public(public: Ed25519PublicKey | Ed448PublicKey) -> str:
            raw = public.public_bytes(encoding=Encoding.Raw, format=PublicFormat.Raw)
            return base64url_encode(force_bytes(raw)).decode()

        jwk: dict[str, Any]
        if isinstance(key, _OKP_PUBLIC):
            crv = "Ed25519" if isinstance(key, Ed25519PublicKey) else "Ed448"
            jwk = {"x": raw_public(key), "kty": "OKP", "crv": crv}
        elif isinstance(key, _OKP_PRIVATE):
            crv = "Ed25519" if isinstance(key, Ed25519PrivateKey) else "Ed448"
            raw_private = key.private_bytes(
                encoding=Encoding.Raw,
                format=PrivateFormat.Raw,
                encryption_algorithm=NoEncryption(),
            )
            jwk = {
                "x": raw_public(key.public_key()),
                "d": base64url_encode(force_bytes(raw_private)).decode(),
                "kty": "OKP",
                "crv": crv,
            }
        else:
            raise InvalidKeyError("Not a public or private key")
        return jwk if as_dict else json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedOKPKeys:
        obj = parse_jwk_argument(jwk)
        if obj.get("kty") != "OKP":
            raise InvalidKeyError("Not an Octet Key Pair")

        crv = obj.get("crv")
        if crv != "Ed25519" and crv != "Ed448":
            raise InvalidKeyError(f"Invalid curve: {crv}")
        if "x" not in obj:
            raise InvalidKeyError('OKP should have "x" parameter')
        x = base64url_decode(obj.get("x"))
        ed25519 = crv == "Ed25519"

        try:
            if "d" not in obj:
                if ed25519:
                    return Ed25519PublicKey.from_public_bytes(x)
                return Ed448PublicKey.from_public_bytes(x)
            d = base64url_decode(obj.get("d"))
            private: Ed25519PrivateKey | Ed448PrivateKey
            if ed25519:
                private = Ed25519PrivateKey.from_private_bytes(d)
            else:
                private = Ed448PrivateKey.from_private_bytes(d)
            derived = private.public_key().public_bytes(
                encoding=Encoding.Raw, format=PublicFormat.Raw
            )
            if derived != x:
                raise InvalidKeyError("Public key does not match private key")
            return private
        except ValueError as err:
            raise InvalidKeyError("Invalid key parameter") from err
