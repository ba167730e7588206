"""Signing algorithms, with the classes and behaviour of PyJWT 2.15.1.

``none`` and the ``HS*`` family need nothing beyond the standard library
(the HMAC itself is computed by :mod:`cyjwt._core`).  The ``RS*``,
``PS*``, ``ES*`` and ``EdDSA`` families are defined only when the
``cryptography`` package can be imported; :data:`has_crypto` says whether
it could.

Every error these classes raise carries the class and the message that
PyJWT raises for the same input, since callers match on both.
"""

# This is the public module: the classes are written in one private module
# per family and gathered here, where they also say they belong
# (``__module__`` is ``cyjwt.algorithms``).
#
#   _algorithms_base.py   has_crypto, key type aliases, Algorithm, NoneAlgorithm
#   _algorithms_hmac.py   HMACAlgorithm and the asymmetric-key/JWK-as-secret checks
#   _algorithms_rsa.py    RSAAlgorithm, RSAPSSAlgorithm
#   _algorithms_ec.py     ECAlgorithm
#   _algorithms_okp.py    OKPAlgorithm
#
# The family modules read ``has_crypto`` from this module at call time
# (``_algorithms_base.crypto_available``), so patching it here still works.
# Most of the other imports below are the names PyJWT's module has (it
# imports them for its own use), kept so that ``from jwt.algorithms import
# ...`` finds the same things; hence no F401 here.
# ruff: noqa: F401

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from abc import ABC, abstractmethod
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    NoReturn,
    Union,
    cast,
    get_args,
    overload,
)

from . import _core
from ._algorithms_base import Algorithm as Algorithm
from ._algorithms_base import AllowedECKeys as AllowedECKeys
from ._algorithms_base import AllowedKeys as AllowedKeys
from ._algorithms_base import AllowedOKPKeys as AllowedOKPKeys
from ._algorithms_base import AllowedPrivateKeys as AllowedPrivateKeys
from ._algorithms_base import AllowedPublicKeys as AllowedPublicKeys
from ._algorithms_base import AllowedRSAKeys as AllowedRSAKeys
from ._algorithms_base import NoneAlgorithm as NoneAlgorithm
from ._algorithms_base import has_crypto as has_crypto
from ._algorithms_base import requires_cryptography as requires_cryptography
from ._algorithms_hmac import HMACAlgorithm as HMACAlgorithm
from .exceptions import InvalidKeyError
from .types import HashlibHash, JWKDict
from .utils import (
    base64url_decode,
    base64url_encode,
    der_to_raw_signature,
    force_bytes,
    from_base64url_uint,
    is_pem_format,
    is_ssh_key,
    raw_to_der_signature,
    to_base64url_uint,
)

if sys.version_info >= (3, 10):
    from typing import TypeAlias
elif has_crypto:  # as PyJWT's module, which imports it with cryptography on 3.9
    try:
        from typing_extensions import TypeAlias
    except ImportError:  # pragma: no cover - typing_extensions not installed
        pass

if has_crypto:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.backends import default_backend
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
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
    from cryptography.hazmat.primitives.asymmetric.ed448 import (
        Ed448PrivateKey,
        Ed448PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
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
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
        load_der_public_key,
        load_pem_private_key,
        load_pem_public_key,
        load_ssh_public_key,
    )

    from ._algorithms_ec import ECAlgorithm as ECAlgorithm
    from ._algorithms_okp import OKPAlgorithm as OKPAlgorithm
    from ._algorithms_rsa import RSAAlgorithm as RSAAlgorithm
    from ._algorithms_rsa import RSAPSSAlgorithm as RSAPSSAlgorithm


def get_default_algorithms() -> dict[str, Algorithm]:
    """Return a new mapping of every algorithm name this install supports
    to a fresh instance implementing it."""
    table: dict[str, Algorithm] = {
        "none": NoneAlgorithm(),
        "HS256": HMACAlgorithm(HMACAlgorithm.SHA256),
        "HS384": HMACAlgorithm(HMACAlgorithm.SHA384),
        "HS512": HMACAlgorithm(HMACAlgorithm.SHA512),
    }
    if not has_crypto:
        return table

    table["RS256"] = RSAAlgorithm(RSAAlgorithm.SHA256)
    table["RS384"] = RSAAlgorithm(RSAAlgorithm.SHA384)
    table["RS512"] = RSAAlgorithm(RSAAlgorithm.SHA512)
    table["ES256"] = ECAlgorithm(ECAlgorithm.SHA256, SECP256R1)
    table["ES256K"] = ECAlgorithm(ECAlgorithm.SHA256, SECP256K1)
    table["ES384"] = ECAlgorithm(ECAlgorithm.SHA384, SECP384R1)
    table["ES521"] = ECAlgorithm(ECAlgorithm.SHA512, SECP521R1)
    # "ES512" is the historical (incorrect) name of ES521, kept as an alias.
    table["ES512"] = ECAlgorithm(ECAlgorithm.SHA512, SECP521R1)
    table["PS256"] = RSAPSSAlgorithm(RSAPSSAlgorithm.SHA256)
    table["PS384"] = RSAPSSAlgorithm(RSAPSSAlgorithm.SHA384)
    table["PS512"] = RSAPSSAlgorithm(RSAPSSAlgorithm.SHA512)
    table["EdDSA"] = OKPAlgorithm()
    return table
