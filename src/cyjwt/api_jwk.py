"""JSON Web Keys and Key Sets (RFC 7517), as PyJWT 2.15.1 models them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from .algorithms import get_default_algorithms, has_crypto, requires_cryptography
from .exceptions import (
    InvalidKeyError,
    MissingCryptographyError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)
from .types import JWKDict

# Algorithm implied by an "EC" key's "crv" when the JWK names no "alg".
_EC_ALGORITHM_BY_CURVE = {
    "P-256": "ES256",
    "P-384": "ES384",
    "P-521": "ES512",
    "secp256k1": "ES256K",
}


def _guess_algorithm(jwk_data: JWKDict, kty: Any) -> str:
    """The algorithm a JWK without ``alg`` is used with, from kty and crv."""
    crv = jwk_data.get("crv", None)
    if kty == "EC":
        if not crv:
            return "ES256"
        for name, alg in _EC_ALGORITHM_BY_CURVE.items():
            if crv == name:
                return alg
        raise InvalidKeyError(f"Unsupported crv: {crv}")
    if kty == "RSA":
        return "RS256"
    if kty == "oct":
        return "HS256"
    if kty == "OKP":
        if not crv:
            raise InvalidKeyError(f"crv is not found: {jwk_data}")
        if crv == "Ed25519":
            return "EdDSA"
        raise InvalidKeyError(f"Unsupported crv: {crv}")
    raise InvalidKeyError(f"Unsupported kty: {kty}")


class PyJWK:
    """One `JSON Web Key <https://www.rfc-editor.org/rfc/rfc7517>`_, with the
    algorithm object that uses it and the key it describes.

    :param jwk_data: the JWK as a dict.
    :param algorithm: the algorithm to use the key with; when not given,
        the JWK's ``alg`` member, else a default for its ``kty`` (and
        ``crv``).
    :raises InvalidKeyError: ``kty`` is absent or unsupported, ``crv`` is
        absent or unsupported, or the key material is unusable.
    :raises MissingCryptographyError: the algorithm needs ``cryptography``,
        which is not installed.
    :raises PyJWKError: the algorithm is unknown.
    """

    def __init__(self, jwk_data: JWKDict, algorithm: str | None = None) -> None:
        self._jwk_data = jwk_data

        kty = self._jwk_data.get("kty", None)
        if not kty:
            raise InvalidKeyError(f"kty is not found: {self._jwk_data}")

        if not algorithm and isinstance(self._jwk_data, dict):
            algorithm = self._jwk_data.get("alg", None)
        if not algorithm:
            algorithm = _guess_algorithm(self._jwk_data, kty)

        if not has_crypto and algorithm in requires_cryptography:
            raise MissingCryptographyError(f"{algorithm} requires 'cryptography' to be installed.")

        self.algorithm_name = algorithm

        try:
            self.Algorithm = get_default_algorithms()[algorithm]
        except KeyError:
            raise PyJWKError(f"Unable to find an algorithm for key: {self._jwk_data}") from None

        try:
            self.key = self.Algorithm.from_jwk(self._jwk_data)
        except (TypeError, ValueError) as error:
            raise InvalidKeyError(f"Unable to construct key from JWK: {error}") from error

    @staticmethod
    def from_dict(obj: JWKDict, algorithm: str | None = None) -> PyJWK:
        """A :class:`PyJWK` built from the JWK dict *obj*."""
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str, algorithm: str | None = None) -> PyJWK:
        """A :class:`PyJWK` built from the JWK JSON text *data*."""
        return PyJWK.from_dict(json.loads(data), algorithm)

    @property
    def key_type(self) -> str | None:
        """The JWK's ``kty`` member."""
        return self._jwk_data.get("kty", None)

    @property
    def key_id(self) -> str | None:
        """The JWK's ``kid`` member, or None."""
        return self._jwk_data.get("kid", None)

    @property
    def public_key_use(self) -> str | None:
        """The JWK's ``use`` member, or None."""
        return self._jwk_data.get("use", None)


class PyJWKSet:
    """A JWK Set: the usable keys of a ``keys`` list.

    Members that are not JSON objects, or that make :class:`PyJWK` fail,
    are left out, except that a missing ``cryptography`` is reported.
    """

    def __init__(self, keys: list[JWKDict]) -> None:
        self.keys: list[PyJWK] = []

        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")

        for member in keys:
            if not isinstance(member, dict):
                continue
            try:
                jwk = PyJWK(member)
            except MissingCryptographyError:
                raise
            except PyJWTError:
                continue
            self.keys.append(jwk)

        if not self.keys:
            raise PyJWKSetError(
                "The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?"
            )

    @staticmethod
    def from_dict(obj: dict[str, Any]) -> PyJWKSet:
        """A :class:`PyJWKSet` built from the ``keys`` member of *obj*."""
        return PyJWKSet(obj.get("keys", []))

    @staticmethod
    def from_json(data: str) -> PyJWKSet:
        """A :class:`PyJWKSet` built from the JWK Set JSON text *data*."""
        return PyJWKSet.from_dict(json.loads(data))

    def __getitem__(self, kid: str) -> PyJWK:
        found = next((jwk for jwk in self.keys if jwk.key_id == kid), None)
        if found is None:
            raise KeyError(f"keyset has no key for kid: {kid}")
        return found

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)


class PyJWTSetWithTimestamp:
    """A :class:`PyJWKSet` with the :func:`time.monotonic` time it was stored."""

    def __init__(self, jwk_set: PyJWKSet):
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()

    def get_jwk_set(self) -> PyJWKSet:
        return self.jwk_set

    def get_timestamp(self) -> float:
        return self.timestamp
