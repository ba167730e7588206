"""cyjwt.api_jwk: PyJWK, PyJWKSet and PyJWTSetWithTimestamp."""

from __future__ import annotations

import functools
import json
import re
import time
from typing import Any, Callable

import pytest

from cyjwt import api_jwk
from cyjwt.algorithms import HMACAlgorithm, has_crypto
from cyjwt.api_jwk import PyJWK, PyJWKSet, PyJWTSetWithTimestamp
from cyjwt.exceptions import (
    InvalidKeyError,
    MissingCryptographyError,
    PyJWKError,
    PyJWKSetError,
)

needs_crypto = pytest.mark.skipif(not has_crypto, reason="cryptography is not installed")

if has_crypto:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    from cyjwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

OCT = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "kid": "hmac-1"}


@functools.cache
def jwks() -> dict[str, dict[str, Any]]:
    """A few JWKs of every type, without ``alg``."""
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    out: dict[str, dict[str, Any]] = {
        "rsa": RSAAlgorithm.to_jwk(rsa_private, as_dict=True),
        "rsa-pub": RSAAlgorithm.to_jwk(rsa_private.public_key(), as_dict=True),
        "ed25519": OKPAlgorithm.to_jwk(ed25519.Ed25519PrivateKey.generate(), as_dict=True),
        "ed448": OKPAlgorithm.to_jwk(ed448.Ed448PrivateKey.generate(), as_dict=True),
    }
    for crv, curve in (
        ("P-256", ec.SECP256R1),
        ("P-384", ec.SECP384R1),
        ("P-521", ec.SECP521R1),
        ("secp256k1", ec.SECP256K1),
    ):
        out[crv] = ECAlgorithm.to_jwk(ec.generate_private_key(curve()), as_dict=True)
    return out


# ---------------------------------------------------------------------------
# PyJWK: choosing the algorithm.


def test_oct_key() -> None:
    jwk = PyJWK(OCT)
    assert jwk.algorithm_name == "HS256"
    assert isinstance(jwk.Algorithm, HMACAlgorithm)
    assert jwk.key == b"secret-secret-secret-secret-secret"
    assert (jwk.key_type, jwk.key_id, jwk.public_key_use) == ("oct", "hmac-1", None)


@needs_crypto
@pytest.mark.parametrize(
    ("name", "algorithm", "key_class"),
    [
        ("rsa", "RS256", "RSAPrivateKey"),
        ("rsa-pub", "RS256", "RSAPublicKey"),
        ("P-256", "ES256", "EllipticCurvePrivateKey"),
        ("P-384", "ES384", "EllipticCurvePrivateKey"),
        ("P-521", "ES512", "EllipticCurvePrivateKey"),
        ("secp256k1", "ES256K", "EllipticCurvePrivateKey"),
        ("ed25519", "EdDSA", "Ed25519PrivateKey"),
    ],
)
def test_algorithm_from_kty_and_crv(name: str, algorithm: str, key_class: str) -> None:
    jwk = PyJWK.from_dict(jwks()[name])
    assert jwk.algorithm_name == algorithm
    home = {"RSA": rsa, "Ell": ec, "Ed2": ed25519}[key_class[:3]]
    assert isinstance(jwk.key, getattr(home, key_class))


@needs_crypto
def test_ec_without_crv_defaults_to_es256() -> None:
    data = {k: v for k, v in jwks()["P-256"].items() if k != "crv"}
    with pytest.raises(InvalidKeyError) as caught:
        PyJWK(data)
    # ES256 is chosen, then the curve-less JWK fails to load.
    assert str(caught.value) == "Invalid curve: None"


@needs_crypto
def test_alg_member_and_argument() -> None:
    data = dict(jwks()["rsa"], alg="PS384", use="sig", kid="r1")
    jwk = PyJWK(data)
    assert jwk.algorithm_name == "PS384"
    assert (jwk.key_id, jwk.public_key_use) == ("r1", "sig")
    assert PyJWK(data, algorithm="RS512").algorithm_name == "RS512"
    assert PyJWK(data, algorithm="").algorithm_name == "PS384"
    assert PyJWK.from_json(json.dumps(data), "PS256").algorithm_name == "PS256"


@needs_crypto
def test_ed448_needs_an_explicit_algorithm() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        PyJWK(jwks()["ed448"])
    assert str(caught.value) == "Unsupported crv: Ed448"
    assert PyJWK(jwks()["ed448"], algorithm="EdDSA").algorithm_name == "EdDSA"


def test_signing_with_a_pyjwk() -> None:
    jwk = PyJWK.from_json(json.dumps(OCT))
    signature = jwk.Algorithm.sign(b"msg", jwk.key)
    assert jwk.Algorithm.verify(b"msg", jwk.key, signature)


# ---------------------------------------------------------------------------
# PyJWK: errors.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "kty is not found: {}"),
        ({"kty": ""}, "kty is not found: {'kty': ''}"),
        ({"kty": None, "k": "AA"}, "kty is not found: {'kty': None, 'k': 'AA'}"),
        ({"kty": "XYZ"}, "Unsupported kty: XYZ"),
        ({"kty": "EC", "crv": "P-192"}, "Unsupported crv: P-192"),
        ({"kty": "OKP"}, "crv is not found: {'kty': 'OKP'}"),
        ({"kty": "OKP", "crv": "X25519"}, "Unsupported crv: X25519"),
        ({"kty": "oct", "k": ""}, "HMAC key must not be empty."),
        ({"kty": "oct", "alg": "RS256", "k": "AA"}, "Not an RSA key"),
    ],
)
def test_invalid_key_errors(data: dict[str, Any], message: str) -> None:
    if not has_crypto and data.get("alg") == "RS256":
        pytest.skip("needs cryptography")
    with pytest.raises(InvalidKeyError) as caught:
        PyJWK(data)
    assert str(caught.value) == message


def test_unknown_algorithm() -> None:
    with pytest.raises(PyJWKError) as caught:
        PyJWK({"kty": "oct", "k": "AA"}, algorithm="HS1024")
    assert type(caught.value) is PyJWKError
    assert str(caught.value) == "Unable to find an algorithm for key: {'kty': 'oct', 'k': 'AA'}"
    assert caught.value.__suppress_context__


def test_key_material_errors_are_wrapped() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        PyJWK({"kty": "oct", "k": 12})
    assert str(caught.value) == "Unable to construct key from JWK: Expected a string or bytes value"
    assert isinstance(caught.value.__cause__, TypeError)


def test_missing_k_is_a_bare_key_error() -> None:
    # Not translated, as in PyJWT.
    with pytest.raises(KeyError):
        PyJWK({"kty": "oct"})


@needs_crypto
def test_bad_base64_is_wrapped() -> None:
    with pytest.raises(InvalidKeyError, match=r"^Unable to construct key from JWK: ") as caught:
        PyJWK({"kty": "EC", "crv": "P-256", "x": "A", "y": "A"})
    assert caught.value.__cause__ is not None


def test_from_json_propagates_json_errors() -> None:
    with pytest.raises(json.JSONDecodeError):
        PyJWK.from_json("{not json")


def test_missing_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_jwk, "has_crypto", False)
    for data, alg in (
        ({"kty": "RSA"}, "RS256"),
        ({"kty": "EC"}, "ES256"),
        ({"kty": "oct", "alg": "EdDSA"}, "EdDSA"),
    ):
        with pytest.raises(MissingCryptographyError) as caught:
            PyJWK(data)
        assert str(caught.value) == f"{alg} requires 'cryptography' to be installed."
    # HMAC keys are unaffected.
    assert PyJWK(OCT).algorithm_name == "HS256"


# ---------------------------------------------------------------------------
# PyJWKSet.


def test_set_lookup_and_iteration() -> None:
    second = dict(OCT, kid="hmac-2", alg="HS512")
    keyset = PyJWKSet([OCT, second])
    assert [k.key_id for k in keyset] == ["hmac-1", "hmac-2"]
    assert keyset["hmac-2"].algorithm_name == "HS512"
    assert keyset["hmac-1"] is keyset.keys[0]
    with pytest.raises(KeyError) as caught:
        keyset["nope"]
    assert caught.value.args == ("keyset has no key for kid: nope",)


def test_set_first_key_wins_for_duplicate_kids() -> None:
    keyset = PyJWKSet([OCT, dict(OCT, alg="HS384")])
    assert keyset["hmac-1"].algorithm_name == "HS256"


@pytest.mark.parametrize("empty", [[], None, {}, ""])
def test_set_without_keys(empty: Any) -> None:
    with pytest.raises(PyJWKSetError) as caught:
        PyJWKSet(empty)
    assert str(caught.value) == "The JWK Set did not contain any keys"


@pytest.mark.parametrize("value", [{"kty": "oct"}, "keys", (OCT,), 5])
def test_set_value_not_a_list(value: Any) -> None:
    with pytest.raises(PyJWKSetError) as caught:
        PyJWKSet(value)
    assert str(caught.value) == "Invalid JWK Set value"


def test_set_skips_unusable_members() -> None:
    keyset = PyJWKSet(["junk", 3, None, {"kty": "nope"}, {}, {"kty": "oct", "k": ""}, OCT])  # type: ignore[list-item]
    assert [k.key_id for k in keyset] == ["hmac-1"]


def test_set_with_only_unusable_members() -> None:
    with pytest.raises(PyJWKSetError) as caught:
        PyJWKSet([{"kty": "nope"}, [OCT], {"kty": "oct", "alg": "HS1"}])  # type: ignore[list-item]
    assert str(caught.value) == (
        "The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?"
    )


def test_set_does_not_swallow_other_errors() -> None:
    with pytest.raises(KeyError):
        PyJWKSet([OCT, {"kty": "oct"}])


def test_set_reports_missing_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_jwk, "has_crypto", False)
    with pytest.raises(MissingCryptographyError) as caught:
        PyJWKSet([OCT, {"kty": "RSA", "n": "AQAB", "e": "AQAB"}])
    assert str(caught.value) == "RS256 requires 'cryptography' to be installed."


def test_set_from_dict_and_json() -> None:
    document = {"keys": [OCT]}
    assert [k.key_id for k in PyJWKSet.from_dict(document)] == ["hmac-1"]
    assert [k.key_id for k in PyJWKSet.from_json(json.dumps(document))] == ["hmac-1"]
    with pytest.raises(PyJWKSetError, match="^The JWK Set did not contain any keys$"):
        PyJWKSet.from_dict({})
    with pytest.raises(PyJWKSetError, match="^Invalid JWK Set value$"):
        PyJWKSet.from_json('{"keys": {"a": 1}}')


@needs_crypto
def test_set_of_mixed_key_types() -> None:
    members = [dict(jwk, kid=name) for name, jwk in jwks().items()]
    keyset = PyJWKSet(members)
    # Ed448 without "alg" has no default algorithm, so it is left out.
    assert [k.key_id for k in keyset] == [n for n in jwks() if n != "ed448"]


# ---------------------------------------------------------------------------
# PyJWTSetWithTimestamp.


def test_set_with_timestamp(monkeypatch: pytest.MonkeyPatch) -> None:
    keyset = PyJWKSet([OCT])
    before = time.monotonic()
    stamped = PyJWTSetWithTimestamp(keyset)
    assert stamped.get_jwk_set() is keyset and stamped.jwk_set is keyset
    assert before <= stamped.get_timestamp() <= time.monotonic()
    monkeypatch.setattr(api_jwk.time, "monotonic", lambda: 123.5)  # type: ignore[attr-defined]
    assert PyJWTSetWithTimestamp(keyset).get_timestamp() == 123.5


def test_module_names() -> None:
    from cyjwt import algorithms

    assert api_jwk.get_default_algorithms is algorithms.get_default_algorithms  # type: ignore[attr-defined]
    assert api_jwk.requires_cryptography is algorithms.requires_cryptography  # type: ignore[attr-defined]
    assert api_jwk.has_crypto is algorithms.has_crypto  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Differential against PyJWT 2.15.1.


def reference() -> Any:
    pyjwt = pytest.importorskip("jwt")
    if getattr(pyjwt, "__version__", None) != "2.15.1":
        pytest.skip("needs PyJWT 2.15.1")
    if "cyjwt" in (getattr(pyjwt, "__file__", None) or ""):
        pytest.skip("'jwt' is aliased to cyjwt")
    import jwt.api_jwk

    return jwt.api_jwk


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def described(func: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """What ``func(*args)`` produced, comparable across the two libraries."""
    try:
        made = func(*args)
    except Exception as err:
        return ("raised", type(err).__name__, _ADDRESS.sub("", str(err)))
    if isinstance(made, PyJWK) or type(made).__name__ == "PyJWK":
        return ("key", made.algorithm_name, type(made.Algorithm).__name__, type(made.key).__name__)
    return ("set", [(k.algorithm_name, k.key_id, type(k.key).__name__) for k in made])


def jwk_corpus() -> list[Any]:
    corpus: list[Any] = [
        OCT, {}, {"kty": ""}, {"kty": "XYZ"}, {"kty": "oct", "k": 1}, {"kty": "oct", "k": ""},
        {"kty": "oct", "k": "AA", "alg": "none"}, {"kty": "oct", "k": "AA", "alg": "HS999"},
        {"kty": "EC"}, {"kty": "EC", "crv": "P-192"}, {"kty": "EC", "crv": "P-256", "x": "A", "y": "A"},
        {"kty": "OKP"}, {"kty": "OKP", "crv": "X448"}, {"kty": "OKP", "crv": "Ed25519", "x": "AA"},
        {"kty": "RSA"}, {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQ"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"}, {"kty": "oct", "k": "AA", "alg": ["HS256"]},
    ]  # fmt: skip
    if has_crypto:
        for name, jwk in jwks().items():
            corpus += [jwk, dict(jwk, alg="ES256"), dict(jwk, alg="EdDSA"), dict(jwk, kid=name)]
        corpus.append(dict(jwks()["P-384"], crv="P-256"))
    return corpus


def test_pyjwk_same_as_pyjwt() -> None:
    ref = reference()
    for data in jwk_corpus():
        for algorithm in (None, "HS256", "ES384"):
            mine = described(PyJWK, data, algorithm)
            theirs = described(ref.PyJWK, data, algorithm)
            assert mine == theirs, (data, algorithm)


def test_pyjwkset_same_as_pyjwt() -> None:
    ref = reference()
    corpus = jwk_corpus()
    candidates: list[Any] = [[], None, "x", {"a": 1}, [1, "a"], [{}], corpus[:3]]
    candidates += [[m] for m in corpus if m.get("kty") != "oct" or "k" in m]
    candidates.append([m for m in corpus if m.get("kty") != "oct" or "k" in m])
    for keys in candidates:
        assert described(PyJWKSet, keys) == described(ref.PyJWKSet, keys), keys
    for document in ({"keys": [OCT]}, {}, {"keys": 3}):
        text = json.dumps(document)
        assert described(PyJWKSet.from_json, text) == described(ref.PyJWKSet.from_json, text)


def test_missing_cryptography_same_as_pyjwt(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = reference()
    monkeypatch.setattr(api_jwk, "has_crypto", False)
    monkeypatch.setattr(ref, "has_crypto", False)
    for data in jwk_corpus():
        assert described(PyJWK, data) == described(ref.PyJWK, data), data
    members = [OCT, {"kty": "EC", "crv": "P-256"}]
    assert described(PyJWKSet, members) == described(ref.PyJWKSet, members)
