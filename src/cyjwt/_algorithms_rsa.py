"""The ``RS*`` and ``PS*`` families: :class:`RSAAlgorithm` (PKCS#1 v1.5)
and :class:`RSAPSSAlgorithm` (PSS), with RSA keys in PEM, OpenSSH or JWK form.

Part of :mod:`cyjwt.algorithms`, which re-exports both classes and imports
this module only when ``cryptography`` is installed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast, overload

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPrivateNumbers,
    RSAPublicKey,
    RSAPublicNumbers,
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
)
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_public_key,
)

from ._algorithms_base import Algorithm, AllowedRSAKeys, in_public_module, parse_jwk_argument
from .exceptions import InvalidKeyError
from .types import JWKDict
from .utils import force_bytes, from_base64url_uint, to_base64url_uint

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes


@in_public_module
class RSAAlgorithm(Algorithm):
    """``RS256``/``RS384``/``RS512``: RSASSA-PKCS1-v1_5 signatures."""

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = (RSAPrivateKey, RSAPublicKey)
    _MIN_KEY_SIZE: ClassVar[int] = 2048

    def __init__(self, hash_alg: type[hashes.HashAlgorithm]) -> None:
        self.hash_alg = hash_alg

    def check_key_length(self, key: AllowedRSAKeys) -> str | None:
        size = key.key_size
        if size >= self._MIN_KEY_SIZE:
            return None
        return (
            f"The RSA key is {size} bits long, which is below "
            f"the minimum recommended size of {self._MIN_KEY_SIZE} bits. "
            f"See NIST SP 800-131A."
        )

    def prepare_key(self, key: AllowedRSAKeys | str | bytes) -> AllowedRSAKeys:
        if isinstance(key, self._crypto_key_types):
            return key
        if not isinstance(key, (bytes, str)):
            raise TypeError("Expecting a PEM-formatted key.")

        key_bytes = force_bytes(key)
        loaded: PublicKeyTypes | PrivateKeyTypes
        try:
            if key_bytes.startswith(b"ssh-rsa"):
                loaded = load_ssh_public_key(key_bytes)
            else:
                loaded = load_pem_private_key(key_bytes, password=None)
            self.check_crypto_key_type(loaded)
            return cast(AllowedRSAKeys, loaded)
        except ValueError:
            try:
                loaded = load_pem_public_key(key_bytes)
                self.check_crypto_key_type(loaded)
                return cast(RSAPublicKey, loaded)
            except (ValueError, UnsupportedAlgorithm):
                raise InvalidKeyError("Could not parse the provided public key.") from None

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: bool = False) -> JWKDict | str:
        def b64(value: int) -> str:
            return to_base64url_uint(value).decode()

        jwk: dict[str, Any]
        if hasattr(key_obj, "private_numbers"):
            private = key_obj.private_numbers()
            jwk = {
                "kty": "RSA",
                "key_ops": ["sign"],
                "n": b64(private.public_numbers.n),
                "e": b64(private.public_numbers.e),
                "d": b64(private.d),
                "p": b64(private.p),
                "q": b64(private.q),
                "dp": b64(private.dmp1),
                "dq": b64(private.dmq1),
                "qi": b64(private.iqmp),
            }
        elif hasattr(key_obj, "verify"):
            public = key_obj.public_numbers()
            jwk = {
                "kty": "RSA",
                "key_ops": ["verify"],
                "n": b64(public.n),
                "e": b64(public.e),
            }
        else:
            raise InvalidKeyError("Not a public or private key")
        return jwk if as_dict else json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedRSAKeys:
        obj = parse_jwk_argument(jwk)
        if obj.get("kty") != "RSA":
            raise InvalidKeyError("Not an RSA key")

        if "d" in obj and "e" in obj and "n" in obj:
            if "oth" in obj:
                raise InvalidKeyError("Unsupported RSA private key: > 2 primes not supported")
            crt_members = ("p", "q", "dp", "dq", "qi")
            present = [name in obj for name in crt_members]
            if any(present) and not all(present):
                raise InvalidKeyError(
                    "RSA key must include all parameters if any are present besides d"
                )
            public = RSAPublicNumbers(from_base64url_uint(obj["e"]), from_base64url_uint(obj["n"]))
            if any(present):
                private = RSAPrivateNumbers(
                    d=from_base64url_uint(obj["d"]),
                    p=from_base64url_uint(obj["p"]),
                    q=from_base64url_uint(obj["q"]),
                    dmp1=from_base64url_uint(obj["dp"]),
                    dmq1=from_base64url_uint(obj["dq"]),
                    iqmp=from_base64url_uint(obj["qi"]),
                    public_numbers=public,
                )
            else:
                exponent = from_base64url_uint(obj["d"])
                p, q = rsa_recover_prime_factors(public.n, exponent, public.e)
                private = RSAPrivateNumbers(
                    d=exponent,
                    p=p,
                    q=q,
                    dmp1=rsa_crt_dmp1(exponent, p),
                    dmq1=rsa_crt_dmq1(exponent, q),
                    iqmp=rsa_crt_iqmp(p, q),
                    public_numbers=public,
                )
            return private.private_key()

        if "n" in obj and "e" in obj:
            return RSAPublicNumbers(
                from_base64url_uint(obj["e"]), from_base64url_uint(obj["n"])
            ).public_key()

        raise InvalidKeyError("Not a public or private key")

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        signature: bytes = key.sign(msg, padding.PKCS1v15(), self.hash_alg())
        return signature

    def verify(self, msg: bytes, key: RSAPublicKey, sig: bytes) -> bool:
        try:
            key.verify(sig, msg, padding.PKCS1v15(), self.hash_alg())
        except InvalidSignature:
            return False
        return True


@in_public_module
class RSAPSSAlgorithm(RSAAlgorithm):
    """``PS256``/``PS384``/``PS512``: RSASSA-PSS with MGF1, salt as long
    as the digest."""

    def _pss(self) -> padding.PSS:
        return padding.PSS(
            mgf=padding.MGF1(self.hash_alg()),
            salt_length=self.hash_alg().digest_size,
        )

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        signature: bytes = key.sign(msg, self._pss(), self.hash_alg())
        return signature

    def verify(self, msg: bytes, key: RSAPublicKey, sig: bytes) -> bool:
        try:
            key.verify(sig, msg, self._pss(), self.hash_alg())
        except InvalidSignature:
            return False
        return True
