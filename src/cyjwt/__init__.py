"""cyjwt: PyJWT 2.15.1's API and behaviour, with a compiled core.

``import cyjwt as jwt`` and use it as PyJWT.  :data:`IMPLEMENTATION` says
whether the compiled core (``"cython"``) or its pure-Python twin
(``"python"``) is in use.
"""

from . import (
    _fastpath,
    algorithms,
    api_jwk,
    api_jws,
    api_jwt,
    exceptions,
    jwk_set_cache,
    jwks_client,
    types,
    utils,
    warnings,
)
from ._core import IMPLEMENTATION
from ._jwt_alias import install_as_jwt
from ._version import CYJWT_VERSION, PYJWT_COMPAT_VERSION
from ._version import __version__ as __version__
from .api_jwk import PyJWK, PyJWKSet
from .api_jws import (
    PyJWS,
    get_algorithm_by_name,
    get_unverified_header,
    register_algorithm,
    unregister_algorithm,
)
from .api_jwt import PyJWT, decode, decode_complete, encode
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)
from .jwks_async import AsyncPyJWKClient
from .jwks_client import PyJWKClient
from .verifier import JWTVerifier
from .warnings import InsecureKeyLengthWarning

_fastpath.setup()

__all__ = [
    "PyJWS",
    "PyJWT",
    "PyJWKClient",
    "PyJWK",
    "PyJWKSet",
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
    "get_algorithm_by_name",
    "InsecureKeyLengthWarning",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "IMPLEMENTATION",
    "CYJWT_VERSION",
    "PYJWT_COMPAT_VERSION",
    "install_as_jwt",
    "JWTVerifier",
    "AsyncPyJWKClient",
]
