"""The ``ES*`` family: :class:`ECAlgorithm`, ECDSA over the P-256, P-384,
P-521 and secp256k1 curves, with fixed-width ``r || s`` signatures.

Part of :mod:`cyjwt.algorithms`, which re-exports the class and imports this
module only when ``cryptography`` is installed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast, overload

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ec import (
    ECDSA,
    SECP256K1,
    SECP256R1,
    SECP384R1,
    SECP521R1,
    EllipticCurve,
    EllipticCurvePrivateKey,
    EllipticCurvePrivateNumbers,
    EllipticCurvePublicKey,
    EllipticCurvePublicNumbers,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_public_key,
)

from ._algorithms_base import Algorithm, AllowedECKeys, in_public_module, parse_jwk_argument
from .exceptions import InvalidKeyError
from .types import JWKDict
from .utils import (
    base64url_decode,
    force_bytes,
    raw_to_der_signature,
    to_base64url_uint,
)

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

# JWK "crv" names of the curves ES* keys may use, with their byte widths.
_JWK_CURVES: dict[str, tuple[type[EllipticCurve], int]] = {
    "P-256": (SECP256R1, 32),
    "P-384": (SECP384R1, 48),
    "P-521": (SECP521R1, 66),
    "secp256k1": (SECP256K1, 32),
}


def raw_signature(der: bytes, width: int) -> bytes:
    """A DER ECDSA signature as JWS wants it: ``r || s``, *width* bytes each.

    utils.der_to_raw_signature with the width already known; the compiled
    core converts in C and calls this only for a DER it does not expect.
    """
    r, s = decode_dss_signature(der)
    return r.to_bytes(width, "big") + s.to_bytes(width, "big")


@in_public_module
class ECAlgorithm(Algorithm):
    """``ES256``/``ES256K``/``ES384``/``ES521``: ECDSA signatures.

    With *expected_curve* set, keys on any other curve are refused.
    """

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = (EllipticCurvePrivateKey, EllipticCurvePublicKey)

    def __init__(
        self,
        hash_alg: type[hashes.HashAlgorithm],
        expected_curve: type[EllipticCurve] | None = None,
    ) -> None:
        self.hash_alg = hash_alg
        self.expected_curve = expected_curve

    def _validate_curve(self, key: AllowedECKeys) -> None:
        """Refuse *key* when its curve is not ``expected_curve``."""
        wanted = self.expected_curve
        if wanted is None or isinstance(key.curve, wanted):
            return
        raise InvalidKeyError(
            f"The key's curve '{key.curve.name}' does not match the expected "
            f"curve '{wanted.name}' for this algorithm"
        )

    def prepare_key(self, key: AllowedECKeys | str | bytes) -> AllowedECKeys:
        if isinstance(key, self._crypto_key_types):
            self._validate_curve(key)
            return key
        if not isinstance(key, (bytes, str)):
            raise TypeError("Expecting a PEM-formatted key.")

        key_bytes = force_bytes(key)
        # Public (PEM or OpenSSH) first; a private PEM key otherwise.
        loaded: PublicKeyTypes | PrivateKeyTypes
        try:
            if key_bytes.startswith(b"ecdsa-sha2-"):
                loaded = load_ssh_public_key(key_bytes)
            else:
                loaded = load_pem_public_key(key_bytes)
            self.check_crypto_key_type(loaded)
            self._validate_curve(cast(EllipticCurvePublicKey, loaded))
            return cast(EllipticCurvePublicKey, loaded)
        except ValueError:
            loaded = load_pem_private_key(key_bytes, password=None)
            self.check_crypto_key_type(loaded)
            self._validate_curve(cast(EllipticCurvePrivateKey, loaded))
            return cast(EllipticCurvePrivateKey, loaded)

    def sign(self, msg: bytes, key: EllipticCurvePrivateKey) -> bytes:
        der = key.sign(msg, ECDSA(self.hash_alg()))
        return raw_signature(der, (key.curve.key_size + 7) // 8)

    def verify(self, msg: bytes, key: AllowedECKeys, sig: bytes) -> bool:
        # utils.raw_to_der_signature, inlined likewise for bytes (anything
        # else fails inside it, as in PyJWT).
        width = (key.curve.key_size + 7) // 8
        if type(sig) is not bytes:
            try:
                der = raw_to_der_signature(sig, key.curve)
            except ValueError:
                return False
        elif len(sig) != 2 * width:
            return False
        else:
            der = encode_dss_signature(
                int.from_bytes(sig[:width], "big"), int.from_bytes(sig[width:], "big")
            )
        public = key.public_key() if isinstance(key, EllipticCurvePrivateKey) else key
        try:
            public.verify(der, msg, ECDSA(self.hash_alg()))
        except InvalidSignature:
            return False
        return True

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: bool = False) -> JWKDict | str:
        if isinstance(key_obj, EllipticCurvePrivateKey):
            point = key_obj.public_key().public_numbers()
        elif isinstance(key_obj, EllipticCurvePublicKey):
            point = key_obj.public_numbers()
        else:
            raise InvalidKeyError("Not a public or private key")

        curve = key_obj.curve
        for crv_name, (curve_class, _width) in _JWK_CURVES.items():  # noqa: B007 (used after the loop)
            if isinstance(curve, curve_class):
                break
        else:
            raise InvalidKeyError(f"Invalid curve: {curve}")

        bits = curve.key_size
        jwk: dict[str, Any] = {
            "kty": "EC",
            "crv": crv_name,
            "x": to_base64url_uint(point.x, bit_length=bits).decode(),
            "y": to_base64url_uint(point.y, bit_length=bits).decode(),
        }
        if isinstance(key_obj, EllipticCurvePrivateKey):
            scalar = key_obj.private_numbers().private_value
            jwk["d"] = to_base64url_uint(scalar, bit_length=bits).decode()
        return jwk if as_dict else json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedECKeys:
        obj = parse_jwk_argument(jwk)
        if obj.get("kty") != "EC" or "x" not in obj or "y" not in obj:
            raise InvalidKeyError("Not an Elliptic curve key")

        x = base64url_decode(obj.get("x"))
        y = base64url_decode(obj.get("y"))

        crv = obj.get("crv")
        found = _JWK_CURVES.get(crv) if isinstance(crv, str) else None
        if found is None:
            raise InvalidKeyError(f"Invalid curve: {crv}")
        curve_class, width = found
        if not len(x) == len(y) == width:
            raise InvalidKeyError(f"Coords should be {width} bytes for curve {crv}")

        point = EllipticCurvePublicNumbers(
            x=int.from_bytes(x, byteorder="big"),
            y=int.from_bytes(y, byteorder="big"),
            curve=curve_class(),
        )
        if "d" not in obj:
            return point.public_key()

        scalar = base64url_decode(obj.get("d"))
        if len(scalar) != len(x):
            # PyJWT passes the format arguments as extra exception
            # arguments instead of formatting them; so does this.
            raise InvalidKeyError("D should be {} bytes for curve {}", len(x), crv)
        return EllipticCurvePrivateNumbers(
            int.from_bytes(scalar, byteorder="big"), point
        ).private_key()
