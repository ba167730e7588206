"""The exception hierarchy, class for class the one PyJWT 2.15.1 raises.

Callers catch these by class, so both the names and the inheritance
are part of the contract; messages are set where they are raised.
"""

from __future__ import annotations

__all__ = [
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidIssuedAtError",
    "ImmatureSignatureError",
    "InvalidKeyError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "PyJWKError",
    "MissingCryptographyError",
    "PyJWKSetError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
    "InvalidSubjectError",
    "InvalidJTIError",
]


class PyJWTError(Exception):
    """Root of every error this library raises on purpose."""


class InvalidTokenError(PyJWTError):
    """A token was rejected while decoding or validating it."""


class DecodeError(InvalidTokenError):
    """The token's structure, encoding or JSON could not be read."""


class InvalidSignatureError(DecodeError):
    """The signature does not match the signing input and key."""


class ExpiredSignatureError(InvalidTokenError):
    """The ``exp`` claim lies in the past."""


class InvalidAudienceError(InvalidTokenError):
    """The ``aud`` claim does not name the expected audience."""


class InvalidIssuerError(InvalidTokenError):
    """The ``iss`` claim is not the expected issuer."""


class InvalidIssuedAtError(InvalidTokenError):
    """The ``iat`` claim is not a number."""


class ImmatureSignatureError(InvalidTokenError):
    """The ``nbf`` or ``iat`` claim lies in the future."""


class InvalidKeyError(PyJWTError):
    """A key is malformed or of the wrong kind for the algorithm."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's algorithm is missing, unknown or not allowed."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim that had to be present is absent."""

    def __init__(self, claim: str) -> None:
        self.claim = claim

    def __str__(self) -> str:
        return f'Token is missing the "{self.claim}" claim'


class PyJWKError(PyJWTError):
    """A JSON Web Key could not be used."""


class MissingCryptographyError(PyJWKError):
    """The key's algorithm needs the ``cryptography`` package, which is absent."""


class PyJWKSetError(PyJWTError):
    """A JSON Web Key Set is malformed or holds no usable key."""


class PyJWKClientError(PyJWTError):
    """The JWKS client could not produce the requested key."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be reached or read."""


class InvalidSubjectError(InvalidTokenError):
    """The ``sub`` claim is not a string or not the expected subject."""


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string."""
