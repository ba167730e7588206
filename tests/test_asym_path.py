"""The asymmetric algorithms on the one-call path (``_core_asym.pxi``):
RS*, PS*, ES* and EdDSA signing and verifying through cryptography's key
calls directly, against PyJWT 2.15.1 on both cores.

Every case is observed alike for cyjwt and PyJWT (result, exception class,
message, cause, context, warnings): valid and tampered tokens, ECDSA
signatures of the wrong length or with odd r and s, keys of the wrong
family, private keys given to decode, keys on the wrong curve, short RSA
keys, PEM text (str and bytes) and key objects, and algorithms patched on
the class or the instance.
"""

from __future__ import annotations

import sys
import types
import warnings
from functools import cache
from typing import Any, Callable
from unittest import mock

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

import cyjwt
from _observe import ADDRESS, both, observe

pytestmark = pytest.mark.usefixtures("active_core")

CLAIMS = {"sub": "someone", "exp": 4102444800, "iat": 1700000000, "roles": ["a", "b"]}

# algorithm -> how to make its private key
KEY_MAKERS: dict[str, Callable[[], Any]] = {
    "RS256": lambda: rsa.generate_private_key(65537, 2048),
    "PS384": lambda: rsa.generate_private_key(65537, 2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ES256K": lambda: ec.generate_private_key(ec.SECP256K1()),
    "ES384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "ES512": lambda: ec.generate_private_key(ec.SECP521R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}
ALGS = list(KEY_MAKERS)
# Algorithms whose signatures are deterministic: tokens must be equal.
DETERMINISTIC = {"RS256", "EdDSA"}


@cache
def private_key(alg: str) -> Any:
    return KEY_MAKERS[alg]()


@cache
def short_rsa_key() -> Any:
    return rsa.generate_private_key(65537, 1024)


@cache
def ed448_key() -> Any:
    return ed448.Ed448PrivateKey.generate()


def pem(key: Any) -> str:
    if hasattr(key, "private_bytes"):
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        data = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    text: str = data.decode()
    return text


def key_forms(key: Any) -> list[Any]:
    """A key as decode/encode take it: the object, PEM str, PEM bytes."""
    return [key, pem(key), pem(key).encode()]


def decode_with(token: str | bytes, key: Any, alg: str) -> Callable[[types.ModuleType], Any]:
    return lambda lib: lib.decode_complete(token, key, algorithms=[alg])


def retokened(token: str, signature: bytes) -> str:
    head, _, _ = token.rpartition(".")
    return head + "." + cyjwt.utils.base64url_encode(signature).decode()


def raw_signature(token: str) -> bytes:
    return cyjwt.utils.base64url_decode(token.rpartition(".")[2])


@pytest.mark.parametrize("alg", ALGS)
def test_valid_tokens_both_ways(alg: str) -> None:
    private = private_key(alg)
    for signing_key in key_forms(private):
        token = cyjwt.encode(CLAIMS, signing_key, algorithm=alg, headers={"kid": "k"})
        theirs = pyjwt.encode(CLAIMS, signing_key, algorithm=alg, headers={"kid": "k"})
        if alg in DETERMINISTIC:
            assert token == theirs
        for verifying_key in key_forms(private.public_key()) + [private]:
            for made in (token, theirs):
                seen = both(decode_with(made, verifying_key, alg))
                assert seen[0] in ("ok", "error")
                if verifying_key is not private or not alg.startswith(("RS", "PS")):
                    assert seen[0] == "ok", seen


@pytest.mark.parametrize("alg", ["ES256", "ES512", "ES256K"])
def test_ecdsa_signatures_convert_exactly(alg: str) -> None:
    """Many signatures (r and s with leading zero bytes and high bits among
    them) made by each library verify with the other."""
    private = private_key(alg)
    public = private.public_key()
    for n in range(150):
        claims = {"n": n}
        token = cyjwt.encode(claims, private, algorithm=alg)
        assert pyjwt.decode(token, public, algorithms=[alg]) == claims
        theirs = pyjwt.encode(claims, private, algorithm=alg)
        assert cyjwt.decode(theirs, public, algorithms=[alg]) == claims


@pytest.mark.parametrize("alg", ALGS)
def test_tampered_signatures(alg: str) -> None:
    private = private_key(alg)
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    sig = raw_signature(token)
    variants = [
        bytes([sig[0] ^ 1]) + sig[1:],
        sig[:-1] + bytes([sig[-1] ^ 0x80]),
        sig[:-1],
        sig + b"\x00",
        b"",
        sig[: len(sig) // 2],
    ]
    for variant in variants:
        for key in key_forms(private.public_key()):
            seen = both(decode_with(retokened(token, variant), key, alg))
            assert seen[0] == "error"


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_odd_ecdsa_scalars(alg: str) -> None:
    """r and s of zero, one, all ones, with the high bit set: the DER built
    in C must make cryptography answer as PyJWT's DER does."""
    private = private_key(alg)
    public = private.public_key()
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    width = len(raw_signature(token)) // 2
    real_r, real_s = raw_signature(token)[:width], raw_signature(token)[width:]
    scalars = [
        bytes(width),
        bytes(width - 1) + b"\x01",
        b"\xff" * width,
        b"\x80" + bytes(width - 1),
        b"\x00\x80" + bytes(width - 2),
        b"\x00\x00\x7f" + b"\x01" * (width - 3),
    ]
    for r in scalars + [real_r]:
        for s in scalars + [real_s]:
            if (r, s) == (real_r, real_s):
                continue
            seen = both(decode_with(retokened(token, r + s), public, alg))
            assert seen[0] == "error"


def test_wrong_family_keys() -> None:
    rs_token = cyjwt.encode(CLAIMS, private_key("RS256"), algorithm="RS256")
    es_token = cyjwt.encode(CLAIMS, private_key("ES256"), algorithm="ES256")
    ed_token = cyjwt.encode(CLAIMS, private_key("EdDSA"), algorithm="EdDSA")
    ec_public = private_key("ES256").public_key()
    rsa_public = private_key("RS256").public_key()
    ed_public = private_key("EdDSA").public_key()
    cases = [
        (rs_token, "RS256", [ec_public, ed_public, ed448_key().public_key()]),
        (es_token, "ES256", [rsa_public, ed_public]),
        (ed_token, "EdDSA", [rsa_public, ec_public]),
    ]
    for token, alg, keys in cases:
        for key in keys:
            for form in key_forms(key):
                assert both(decode_with(token, form, alg))[0] == "error"
    signers = (
        ("RS256", private_key("ES256")),
        ("ES256", private_key("RS256")),
        ("EdDSA", private_key("ES256")),
    )
    for alg, signer in signers:
        for form in key_forms(signer):
            assert both(lambda lib: lib.encode(CLAIMS, form, algorithm=alg))[0] == "error"


def test_key_values_that_are_no_keys() -> None:
    token = cyjwt.encode(CLAIMS, private_key("RS256"), algorithm="RS256")
    for key in (None, 42, object(), "not a pem", b"", ["x"]):
        both(decode_with(token, key, "RS256"))
        both(lambda lib: lib.encode(CLAIMS, key, algorithm="ES256"))


@pytest.mark.parametrize("alg", ALGS)
def test_private_key_to_decode_public_key_to_encode(alg: str) -> None:
    private = private_key(alg)
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    for key in key_forms(private):
        both(decode_with(token, key, alg))
    for key in key_forms(private.public_key()):
        assert both(lambda lib: lib.encode(CLAIMS, key, algorithm=alg))[0] == "error"


def test_keys_on_the_wrong_curve() -> None:
    p384 = private_key("ES384")
    token = pyjwt.encode(CLAIMS, p384, algorithm="ES384")
    for alg in ("ES256", "ES512", "ES256K"):
        for key in key_forms(p384.public_key()):
            assert both(decode_with(token.replace("ES384", alg), key, alg))[0] == "error"
        for key in key_forms(p384):
            assert both(lambda lib: lib.encode(CLAIMS, key, algorithm=alg))[0] == "error"


def test_short_rsa_keys_warn_or_refuse() -> None:
    short = short_rsa_key()
    for key in key_forms(short):
        seen = both(lambda lib: lib.encode(CLAIMS, key, algorithm="RS256"))
        assert seen[-1], "InsecureKeyLengthWarning expected"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = pyjwt.encode(CLAIMS, short, algorithm="PS256")
    for key in key_forms(short.public_key()):
        seen = both(decode_with(token, key, "PS256"))
        assert seen[0] == "ok" and seen[-1]
        both(
            lambda lib: lib.decode(
                token, key, algorithms=["PS256"], options={"enforce_minimum_key_length": True}
            )
        )


@pytest.mark.parametrize("alg", ["ES256", "EdDSA", "RS256"])
def test_algorithm_objects_take_any_signature_type(alg: str) -> None:
    """The algorithm objects themselves (not on the core's path) are unchanged:
    str, bytearray and memoryview signatures fare as in PyJWT."""
    private = private_key(alg)
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    msg = token.rpartition(".")[0].encode()
    sig = raw_signature(token)
    for value in (sig, bytearray(sig), memoryview(sig), sig.decode("latin-1"), sig[:-1]):

        def verify(lib: types.ModuleType, value: Any = value) -> Any:
            algo = lib.get_algorithm_by_name(alg)
            return algo.verify(msg, algo.prepare_key(private.public_key()), value)

        both(verify)


def test_ec_raw_signature_helper_fails_as_pyjwt() -> None:
    from cyjwt._algorithms_ec import raw_signature as cy_raw

    curve = ec.SECP256R1()
    for der in (
        b"",
        b"\x30\x00",
        b"\x30\x06\x02\x01\x01\x02\x01",
        b"junk",
        b"\x30\x03\x02\x01\x01",
    ):
        assert (
            observe(cy_raw, der, 32)[:3]
            == observe(pyjwt.utils.der_to_raw_signature, der, curve)[:3]
        )


def _registered(lib: types.ModuleType, alg: str) -> Any:
    return lib.api_jwt._jwt_global_obj._jws._algorithms[alg]


def _always_true(self: Any, msg: bytes, key: Any, sig: bytes) -> bool:
    return True


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("where", ["class", "instance"])
@pytest.mark.parametrize("method", ["verify", "sign", "prepare_key"])
def test_patched_algorithms_are_honoured(alg: str, where: str, method: str) -> None:
    private = private_key(alg)
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    bad = retokened(token, bytes(len(raw_signature(token))))
    calls: list[str] = []

    def action(lib: types.ModuleType) -> Any:
        algo = _registered(lib, alg)
        original = getattr(type(algo), method)

        def spy(*args: Any) -> Any:
            calls.append(lib.__name__)
            if method == "verify":
                return True
            if method == "sign":
                return b"signed"
            if where == "class":
                return original(*args)
            return original(algo, *args)

        target = type(algo) if where == "class" else algo
        if where == "class":
            replacement: Any = lambda self, *args: spy(self, *args)  # noqa: E731
        else:
            replacement = spy
        # Warm first, so a cached key or class answer could go stale.
        lib.decode(token, private.public_key(), algorithms=[alg])
        with mock.patch.object(target, method, replacement):
            return (
                lib.encode(CLAIMS, private, algorithm=alg)
                if alg in DETERMINISTIC or method == "sign"
                else None,
                observe(lambda: lib.decode(bad, pem(private.public_key()), algorithms=[alg])),
                observe(lambda: lib.decode(token, private.public_key(), algorithms=[alg])),
            )

    both(action)
    assert calls.count("cyjwt") == calls.count("jwt") > 0


def _python_calls_during(action: Callable[[], Any]) -> list[str]:
    """The functions of cyjwt's algorithm modules called while *action* runs."""
    seen: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and "_algorithms_" in frame.f_code.co_filename:
            seen.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return seen


@pytest.mark.parametrize("alg", ALGS)
def test_compiled_core_calls_no_algorithm_frames(alg: str, active_core: Any) -> None:
    """Proof that the compiled core takes the asymmetric path: after a first
    call (keys read once), no method of the algorithm runs."""
    if active_core.IMPLEMENTATION != "cython":
        pytest.skip("the compiled core's path")
    private = private_key(alg)
    public_pem = pem(private.public_key())
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    for key in (private.public_key(), public_pem):
        cyjwt.decode(token, key, algorithms=[alg])
        assert _python_calls_during(lambda: cyjwt.decode(token, key, algorithms=[alg])) == []
    cyjwt.encode(CLAIMS, private, algorithm=alg)
    assert _python_calls_during(lambda: cyjwt.encode(CLAIMS, private, algorithm=alg)) == []


def test_has_crypto_patched_reaches_eddsa_key_objects() -> None:
    private = private_key("EdDSA")
    token = cyjwt.encode(CLAIMS, private, algorithm="EdDSA")

    def action(lib: types.ModuleType) -> Any:
        with mock.patch.object(lib.algorithms, "has_crypto", False):
            return observe(lambda: lib.decode(token, private.public_key(), algorithms=["EdDSA"]))

    both(action)


def test_expected_curve_changed_on_the_instance() -> None:
    p256 = private_key("ES256")
    token = cyjwt.encode(CLAIMS, p256, algorithm="ES256")

    def action(lib: types.ModuleType) -> Any:
        algo = _registered(lib, "ES256")
        lib.decode(token, p256.public_key(), algorithms=["ES256"])
        with mock.patch.object(algo, "expected_curve", ec.SECP384R1):
            return observe(lambda: lib.decode(token, p256.public_key(), algorithms=["ES256"]))

    both(action)


def test_hash_changed_on_the_instance() -> None:
    private = private_key("RS256")
    token = pyjwt.encode(CLAIMS, private, algorithm="RS256")

    def action(lib: types.ModuleType) -> Any:
        algo = _registered(lib, "RS256")
        lib.decode(token, private.public_key(), algorithms=["RS256"])
        with mock.patch.object(algo, "hash_alg", lib.algorithms.RSAAlgorithm.SHA512):
            return (
                observe(lambda: lib.decode(token, private.public_key(), algorithms=["RS256"])),
                lib.encode(CLAIMS, private, algorithm="RS256"),
            )

    both(action)


# --------------------------------------------------------------------------
# JWTVerifier with keys from a JWK Set: a PyJWK bound to the token's
# algorithm is handed to the core as its key object.
# --------------------------------------------------------------------------


def _jwk_set(alg: str, private: Any) -> cyjwt.PyJWKSet:
    family = cyjwt.get_algorithm_by_name(alg)
    jwk = family.to_jwk(private.public_key(), as_dict=True)
    return cyjwt.PyJWKSet([{**jwk, "kid": "k1", "alg": alg, "use": "sig"}])


@pytest.mark.parametrize("alg", ["RS256", "PS384", "ES256", "ES512", "EdDSA"])
@pytest.mark.parametrize("cache_size", [0, 16])
def test_verifier_with_jwk_set_matches_decode_with_the_jwk(alg: str, cache_size: int) -> None:
    private = private_key(alg)
    jwk_set = _jwk_set(alg, private)
    jwk = jwk_set["k1"]
    allowed = [alg, "RS256", "PS256", "ES384"]
    verifier = cyjwt.JWTVerifier(jwk_set, algorithms=allowed, cache_size=cache_size)
    good = cyjwt.encode(CLAIMS, private, algorithm=alg, headers={"kid": "k1"})
    tokens = [
        good,
        retokened(good, bytes(len(raw_signature(good)))),
        retokened(good, raw_signature(good)[:-1]),
    ]
    # The header names another allowed algorithm than the JWK's.
    other = "PS256" if alg != "PS256" else "RS256"
    tokens.append(
        good.replace(
            good.split(".")[0],
            cyjwt.utils.base64url_encode(
                f'{{"alg":"{other}","kid":"k1","typ":"JWT"}}'.encode()
            ).decode(),
        )
    )
    for token in tokens:
        for complete in (False, True):
            expected = observe(
                cyjwt.decode_complete if complete else cyjwt.decode, token, jwk, algorithms=allowed
            )
            theirs = observe(
                pyjwt.decode_complete if complete else pyjwt.decode,
                token,
                pyjwt.PyJWK(jwk._jwk_data),
                algorithms=allowed,
            )
            got = observe(verifier.decode_complete if complete else verifier.decode, token)
            assert ADDRESS.sub("", repr(got)) == ADDRESS.sub("", repr(expected))
            if "signature" not in repr(got):  # PyJWT's signature bytes differ per call
                assert got[0] == theirs[0]
            got = observe(verifier.decode, token)  # again: a cache hit where cached
            assert got[0] == expected[0]


def test_verifier_honours_a_patched_jwk_algorithm() -> None:
    private = private_key("RS256")
    jwk_set = _jwk_set("RS256", private)
    jwk = jwk_set["k1"]
    verifier = cyjwt.JWTVerifier(jwk_set, algorithms=["RS256"], cache_size=0)
    good = cyjwt.encode(CLAIMS, private, algorithm="RS256", headers={"kid": "k1"})
    bad = retokened(good, bytes(256))
    assert observe(verifier.decode, bad)[0] == "error"
    with mock.patch.object(jwk.Algorithm, "verify", _always_true.__get__(jwk.Algorithm)):
        assert verifier.decode(bad) == CLAIMS == cyjwt.decode(bad, jwk, algorithms=["RS256"])
    # An algorithm registered under the name that differs from the JWK's.
    registry = cyjwt.api_jwt._jwt_global_obj._jws._algorithms
    with mock.patch.dict(registry, {"RS256": cyjwt.algorithms.RSAAlgorithm(hashes_sha512())}):
        assert verifier.decode(good) == CLAIMS
        assert observe(cyjwt.decode, good, private.public_key(), algorithms=["RS256"])[0] == (
            "error"
        )


def hashes_sha512() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA512


def test_verifier_short_jwk_keys_warn_as_decode() -> None:
    short = short_rsa_key()
    jwk_set = _jwk_set("RS256", short)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = cyjwt.encode(CLAIMS, short, algorithm="RS256", headers={"kid": "k1"})
    verifier = cyjwt.JWTVerifier(jwk_set, algorithms=["RS256"])
    for _ in range(2):
        got = observe(verifier.decode, token)
        assert got == observe(cyjwt.decode, token, jwk_set["k1"], algorithms=["RS256"])
        assert got[-1] and got[-1][0][0] == "InsecureKeyLengthWarning"
