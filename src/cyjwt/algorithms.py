"""Signing algorithms, with the classes and behaviour of PyJWT 2.15.1.

``none`` and the ``HS*`` family need nothing beyond the standard library
(the HMAC itself is computed by :mod:`cyjwt._core`).  The ``RS*``,
``PS*``, ``ES*`` and ``EdDSA`` families are defined only when the
``cryptography`` package can be imported; :data:`has_crypto` says whether
it could.

Every error these classes raise carries the class and the message that
PyJWT raises for the same input, since callers match on both.
"""

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
    overload,
)

from . import _core
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

if TYPE_CHECKING:  # pragma: no cover
    from typing_extensions import TypeAlias


try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
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


def _parse_jwk_argument(jwk: Any) -> Any:
    """The JSON object of a ``from_jwk`` argument (a JSON text or a dict)."""
    if isinstance(jwk, dict):
        return jwk
    if isinstance(jwk, str):
        try:
            return json.loads(jwk)
        except ValueError:
            pass
    raise InvalidKeyError("Key is not valid JSON")


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

        if has_crypto and isinstance(hash_alg, type) and issubclass(hash_alg, hashes.HashAlgorithm):
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
        if not has_crypto or accepted is None:
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
        if not has_crypto:
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
        too_deep = False
        try:
            document = json.loads(key_bytes, parse_int=_integer_placeholder)
        except RecursionError:
            too_deep = True
            document = None
        except ValueError:
            document = None

        if too_deep:
            if _too_deep_looks_like_jwk(key_bytes):
                raise InvalidKeyError(_JWK_AS_SECRET) from None
        elif _contains_jwk_object(document):
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
        obj = _parse_jwk_argument(jwk)
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
        hash_alg = self.hash_alg
        if hash_alg is hashlib.sha256:
            return "SHA256"
        if hash_alg is hashlib.sha384:
            return "SHA384"
        if hash_alg is hashlib.sha512:
            return "SHA512"
        return None

    def sign(self, msg: bytes, key: bytes) -> bytes:
        hash_name = self._core_hash_name()
        if hash_name is not None and type(key) is bytes and type(msg) is bytes:
            return _core.hmac_sign(hash_name, key, msg)
        return hmac.new(key, msg, self.hash_alg).digest()

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        # A subclass that overrides sign() has verify() compare against
        # its signature, as in PyJWT.
        if type(self).sign is HMACAlgorithm.sign:
            hash_name = self._core_hash_name()
            if (
                hash_name is not None
                and type(key) is bytes
                and type(msg) is bytes
                and type(sig) is bytes
            ):
                return bool(_core.hmac_verify(hash_name, key, msg, sig))
        return hmac.compare_digest(sig, self.sign(msg, key))


if has_crypto:

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
            obj = _parse_jwk_argument(jwk)
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
                public = RSAPublicNumbers(
                    from_base64url_uint(obj["e"]), from_base64url_uint(obj["n"])
                )
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

    # JWK "crv" names of the curves ES* keys may use, with their byte widths.
    _JWK_CURVES: dict[str, tuple[type[EllipticCurve], int]] = {
        "P-256": (SECP256R1, 32),
        "P-384": (SECP384R1, 48),
        "P-521": (SECP521R1, 66),
        "secp256k1": (SECP256K1, 32),
    }

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
            return der_to_raw_signature(der, key.curve)

        def verify(self, msg: bytes, key: AllowedECKeys, sig: bytes) -> bool:
            try:
                der = raw_to_der_signature(sig, key.curve)
            except ValueError:
                return False
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
            obj = _parse_jwk_argument(jwk)
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

    _OKP_PRIVATE = (Ed25519PrivateKey, Ed448PrivateKey)
    _OKP_PUBLIC = (Ed25519PublicKey, Ed448PublicKey)

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
            obj = _parse_jwk_argument(jwk)
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

# Names PyJWT 2.15.1's module also has (it imports them for its own use);
# kept so that ``from jwt.algorithms import ...`` finds the same things.
from typing import get_args  # noqa: E402, F401

if has_crypto:
    from cryptography.hazmat.backends import default_backend  # noqa: F401
if sys.version_info >= (3, 10):
    from typing import TypeAlias
