"""What every algorithm family shares: the base class and the ``none`` algorithm.

Part of :mod:`cyjwt.algorithms`, which is the public module and re-exports
everything here; the families live in ``_algorithms_hmac``, ``_algorithms_rsa``,
``_algorithms_ec`` and ``_algorithms_okp``.  This module holds:

* whether ``cryptography`` can be imported (:data:`has_crypto`) and the key
  type aliases built from its classes;
* :func:`crypto_available`, the call-time reading of ``has_crypto`` that
  every family uses, and :func:`in_public_module`, which makes a class
  defined here or in a family module present itself as
  ``cyjwt.algorithms.<Name>``;
* :class:`Algorithm`, :class:`NoneAlgorithm` and the parsing of a
  ``from_jwk`` argument.
"""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, Union, overload

from .exceptions import InvalidKeyError
from .types import JWKDict

if TYPE_CHECKING:  # pragma: no cover
    from typing_extensions import TypeAlias


try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.ec import (
        EllipticCurvePrivateKey,
        EllipticCurvePublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.ed448 import (
        Ed448PrivateKey,
        Ed448PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

    # Key families accepted by the asymmetric algorithms.
    AllowedRSAKeys: TypeAlias = Union[RSAPrivateKey, RSAPublicKey]
    AllowedECKeys: TypeAlias = Union[EllipticCurvePrivateKey, EllipticCurvePublicKey]
    AllowedOKPKeys: TypeAlias = Union[
        Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey
    ]
    AllowedKeys: TypeAlias = Union[AllowedRSAKeys, AllowedECKeys, AllowedOKPKeys]
    #: Any ``cryptography`` private key one of the algorithms can sign with.
    AllowedPrivateKeys: TypeAlias = Union[
        RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey
    ]
    #: Any ``cryptography`` public key one of the algorithms can verify with.
    AllowedPublicKeys: TypeAlias = Union[
        RSAPublicKey, EllipticCurvePublicKey, Ed25519PublicKey, Ed448PublicKey
    ]

    if TYPE_CHECKING:  # pragma: no cover
        from cryptography.hazmat.primitives.asymmetric.types import (
            PrivateKeyTypes,
            PublicKeyTypes,
        )

    has_crypto = True
except ModuleNotFoundError:  # pragma: no cover - exercised by the no-crypto run
    if sys.version_info >= (3, 11):
        from typing import Never as _Unavailable
    else:
        _Unavailable = NoReturn

    AllowedRSAKeys = _Unavailable  # type: ignore[misc]
    AllowedECKeys = _Unavailable  # type: ignore[misc]
    AllowedOKPKeys = _Unavailable  # type: ignore[misc]
    AllowedKeys = _Unavailable  # type: ignore[misc]
    AllowedPrivateKeys = _Unavailable  # type: ignore[misc]
    AllowedPublicKeys = _Unavailable  # type: ignore[misc]
    has_crypto = False


#: Names of the algorithms that only exist when ``cryptography`` is installed.
requires_cryptography = {
    "RS256",
    "RS384",
    "RS512",
    "ES256",
    "ES256K",
    "ES384",
    "ES521",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "EdDSA",
}

#: The module the algorithm classes belong to, as far as anyone can tell.
PUBLIC_MODULE = __name__.rpartition(".")[0] + ".algorithms"

_ClassT = TypeVar("_ClassT", bound=type)


def in_public_module(cls: _ClassT) -> _ClassT:
    """Class decorator: *cls* reports :data:`PUBLIC_MODULE` as its module.

    Reprs, pickles, ``help()`` and error messages then name
    ``cyjwt.algorithms.<Name>``, as when every class was written in that
    module; the public module binds each such class under its
    ``__qualname__``, which is what unpickling looks up.
    """
    cls.__module__ = PUBLIC_MODULE
    return cls


def crypto_available() -> bool:
    """``has_crypto`` as :mod:`cyjwt.algorithms` holds it at this moment.

    Code that asks whether ``cryptography`` may be used reads it here, at
    call time and from the public module, so that patching
    ``cyjwt.algorithms.has_crypto`` (or ``jwt.algorithms.has_crypto`` under
    the alias) reaches it, as it reaches the same checks in PyJWT.
    """
    public = sys.modules[PUBLIC_MODULE]
    available: bool = public.has_crypto
    return available


def parse_jwk_argument(jwk: Any) -> Any:
    """The JSON object of a ``from_jwk`` argument (a JSON text or a dict)."""
    if isinstance(jwk, dict):
        return jwk
    if isinstance(jwk, str):
        try:
            return json.loads(jwk)
        except ValueError:
            pass
    raise InvalidKeyError("Key is not valid JSON")


@in_public_module
class Algorithm(ABC):
    """Base class of the objects that sign and verify with one algorithm."""

    # The cryptography key classes a prepared key must be an instance of;
    # None for the algorithms that do not use cryptography keys.
    _crypto_key_types: tuple[type[AllowedKeys], ...] | None = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """Digest *bytestr* with this algorithm's hash.

        Raises :class:`NotImplementedError` for an algorithm without one.
        """
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError

        if (
            crypto_available()
            and isinstance(hash_alg, type)
            and issubclass(hash_alg, hashes.HashAlgorithm)
        ):
            hasher = hashes.Hash(hash_alg())
            hasher.update(bytestr)
            return bytes(hasher.finalize())
        return bytes(hash_alg(bytestr).digest())

    def check_crypto_key_type(self, key: PublicKeyTypes | PrivateKeyTypes) -> None:
        """Raise :class:`InvalidKeyError` unless *key* is one of the
        ``cryptography`` key classes this algorithm works with.

        Raises :class:`ValueError` when ``cryptography`` is missing or the
        algorithm does not use ``cryptography`` keys at all.
        """
        accepted = self._crypto_key_types
        if not crypto_available() or accepted is None:
            raise ValueError(
                "This method requires the cryptography library, and should only be used by cryptography-based algorithms."
            )
        if isinstance(key, accepted):
            return
        # PyJWT formats a generator object (not the class names) into this
        # message; the same is done here so that the text agrees.
        names = (kind.__name__ for kind in accepted)
        raise InvalidKeyError(
            f"Expected one of {names}, got: {key.__class__.__name__}. "
            f"Invalid Key type for {self.__class__.__name__}"
        )

    @abstractmethod
    def prepare_key(self, key: Any) -> Any:
        """Check *key* and turn it into what :meth:`sign` and
        :meth:`verify` expect."""

    @abstractmethod
    def sign(self, msg: bytes, key: Any) -> bytes:
        """The signature of *msg* under the prepared *key*."""

    @abstractmethod
    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """Whether *sig* is a valid signature of *msg* under *key*."""

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[True]) -> JWKDict: ...  # pragma: no cover

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[False] = False) -> str: ...  # pragma: no cover

    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> JWKDict | str:
        """*key_obj* as a JWK: a dict if *as_dict*, else its JSON text."""

    @staticmethod
    @abstractmethod
    def from_jwk(jwk: str | JWKDict) -> Any:
        """The key described by the JWK *jwk* (JSON text or dict)."""

    def check_key_length(self, key: Any) -> str | None:
        """A warning text when *key* is shorter than recommended, else None."""
        return None


@in_public_module
class NoneAlgorithm(Algorithm):
    """The ``none`` algorithm: empty signatures, which never verify."""

    def prepare_key(self, key: str | None) -> None:
        if key == "":
            key = None
        if key is not None:
            raise InvalidKeyError('When alg = "none", key value must be None.')
        return key

    def sign(self, msg: bytes, key: None) -> bytes:
        return b""

    def verify(self, msg: bytes, key: None, sig: bytes) -> bool:
        return False

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError()

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> NoReturn:
        raise NotImplementedError()
