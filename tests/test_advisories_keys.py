"""Algorithm confusion: asymmetric keys and JWKs must never become HMAC secrets.

A verifier that holds a public key and lets the token header pick the
algorithm could be fooled into using that public key as an ``HS*``
secret.  ``HMACAlgorithm.prepare_key`` therefore refuses anything that
looks like key material other than a plain secret.  These tests cover
the forms such material can take (PEM, OpenSSH, DER, certificates, JWK
JSON in every wrapping), the mangled variants (BOM, whitespace, CRLF,
surrounding text), and JSON nested too deeply to parse, and compare the
verdicts with PyJWT 2.15.1 on generated inputs.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import json
import re
import time
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cyjwt
from cyjwt.algorithms import HMACAlgorithm, get_default_algorithms, has_crypto
from cyjwt.exceptions import InvalidKeyError
from cyjwt.utils import base64url_encode

ASYMMETRIC = (
    "The specified key is an asymmetric key or x509 certificate and should not "
    "be used as an HMAC secret."
)
LOOKS_LIKE_JWK = (
    "The specified key looks like a JWK and should not be used directly as an "
    "HMAC secret. Load it via PyJWK / HMACAlgorithm.from_jwk first."
)

needs_crypto = pytest.mark.skipif(not has_crypto, reason="cryptography is not installed")
HS_NAMES = ["HS256", "HS384", "HS512"]

if has_crypto:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.x509.oid import NameOID


def hs256() -> HMACAlgorithm:
    return HMACAlgorithm(HMACAlgorithm.SHA256)


def refused_with(key: Any, message: str) -> None:
    for name in HS_NAMES:
        alg = get_default_algorithms()[name]
        with pytest.raises(InvalidKeyError) as caught:
            alg.prepare_key(key)
        assert str(caught.value) == message, (name, key)


# ---------------------------------------------------------------------------
# Material.


@functools.cache
def keys() -> dict[str, Any]:
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate(),
    }


@functools.cache
def certificate() -> Any:
    key = keys()["ec"]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cyjwt test")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1234)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


def public_forms() -> dict[str, bytes]:
    """Every serialisation of public key material worth refusing."""
    enc, fmt = serialization.Encoding, serialization.PublicFormat
    forms: dict[str, bytes] = {}
    for kind, key in keys().items():
        public = key.public_key()
        forms[f"{kind}-spki-pem"] = public.public_bytes(enc.PEM, fmt.SubjectPublicKeyInfo)
        forms[f"{kind}-spki-der"] = public.public_bytes(enc.DER, fmt.SubjectPublicKeyInfo)
        forms[f"{kind}-openssh"] = public.public_bytes(enc.OpenSSH, fmt.OpenSSH)
        forms[f"{kind}-pkcs8-pem"] = key.private_bytes(
            enc.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        forms[f"{kind}-openssh-private"] = key.private_bytes(
            enc.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        )
    rsa_public = keys()["rsa"].public_key()
    forms["rsa-pkcs1-pem"] = rsa_public.public_bytes(enc.PEM, fmt.PKCS1)
    forms["rsa-traditional-pem"] = keys()["rsa"].private_bytes(
        enc.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    forms["rsa-encrypted-pem"] = keys()["rsa"].private_bytes(
        enc.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"password"),
    )
    forms["cert-pem"] = certificate().public_bytes(enc.PEM)
    forms["cert-der"] = certificate().public_bytes(enc.DER)
    return forms


def jwk_forms() -> dict[str, dict[str, Any]]:
    from cyjwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

    return {
        "rsa-public": RSAAlgorithm.to_jwk(keys()["rsa"].public_key(), as_dict=True),
        "rsa-private": RSAAlgorithm.to_jwk(keys()["rsa"], as_dict=True),
        "ec-public": ECAlgorithm.to_jwk(keys()["ec"].public_key(), as_dict=True),
        "okp-public": OKPAlgorithm.to_jwk(keys()["ed25519"].public_key(), as_dict=True),
        "oct": HMACAlgorithm.to_jwk(b"the real secret", as_dict=True),
    }


def forged_hs256(secret: bytes, payload: dict[str, Any]) -> str:
    """A token HMAC-signed with *secret* (as an attacker would sign it)."""
    header = base64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    body = base64url_encode(json.dumps(payload).encode())
    signing_input = header + b"." + body
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64url_encode(mac)).decode()


# ---------------------------------------------------------------------------
# Asymmetric material.


@needs_crypto
@pytest.mark.parametrize("form", sorted(public_forms()) if has_crypto else [])
def test_key_material_is_refused(form: str) -> None:
    raw = public_forms()[form]
    refused_with(raw, ASYMMETRIC)
    if not form.endswith("-der"):
        refused_with(raw.decode(), ASYMMETRIC)


@needs_crypto
@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b" \t\r\n\n" + b, id="leading-whitespace"),
        pytest.param(lambda b: b + b"\n\n  ", id="trailing-whitespace"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b"prefix text\n" + b + b"\nsuffix", id="surrounded"),
        pytest.param(lambda b: b.replace(b"-----BEGIN", b"---- BEGIN"), id="spaced-marker"),
    ],
)
def test_mangled_pem_is_refused(mangle: Callable[[bytes], bytes]) -> None:
    for raw in public_forms().values():
        if raw.startswith(b"-----BEGIN"):
            refused_with(mangle(raw), ASYMMETRIC)


@needs_crypto
def test_pem_without_end_marker_is_just_bytes() -> None:
    pem = public_forms()["rsa-spki-pem"]
    truncated = pem.split(b"-----END")[0]
    assert hs256().prepare_key(truncated) == truncated


@needs_crypto
def test_ssh_prefix_must_start_the_key() -> None:
    line = public_forms()["ed25519-openssh"]
    refused_with(line, ASYMMETRIC)
    # Only a key that starts with the OpenSSH type name counts.
    assert hs256().prepare_key(b" " + line) == b" " + line


@pytest.mark.parametrize(
    "secret",
    [b"\x30\x82\x01\x22", b"\x30\x00", b"0123456789abcdef" * 4, b"\x00" * 64, b"ssh", "ecdsa"],
)
def test_ordinary_secrets_pass(secret: Any) -> None:
    expected = secret.encode() if isinstance(secret, str) else secret
    assert hs256().prepare_key(secret) == expected


# ---------------------------------------------------------------------------
# JWK JSON.


@needs_crypto
@pytest.mark.parametrize("name", sorted(jwk_forms()) if has_crypto else [])
@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda j: j, id="bare"),
        pytest.param(lambda j: {"keys": [j]}, id="jwks"),
        pytest.param(lambda j: [j], id="list"),
        pytest.param(lambda j: [1, [2, {"inner": [j]}]], id="nested-list"),
        pytest.param(lambda j: {"a": {"b": {"c": j}}}, id="nested-dict"),
    ],
)
def test_jwk_json_is_refused(name: str, wrap: Callable[[Any], Any]) -> None:
    document = wrap(jwk_forms()[name])
    for text in (json.dumps(document), json.dumps(document, indent=4)):
        refused_with(text, LOOKS_LIKE_JWK)
        refused_with(text.encode(), LOOKS_LIKE_JWK)


@pytest.mark.parametrize(
    "text",
    [
        '{"kty":"oct","k":"c2VjcmV0"}',
        '\ufeff{"kty": "oct"}',
        ' \r\n\t{"kty": "RSA"}\n ',
        '{"k\\u0074y": "EC"}',
        '{"kty": null}',
        '{"kty": 1, "n": 123456789012345678901234567890}',
        '[[[[{"kty": "oct"}]]]]',
        '{"keys": [{"kty": "RSA", "n": "%s", "e": 65537}]}' % ("9" * 5000),
    ],
)
def test_jwk_shaped_text_is_refused(text: str) -> None:
    refused_with(text, LOOKS_LIKE_JWK)
    refused_with(text.encode("utf-8"), LOOKS_LIKE_JWK)


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_jwk_in_other_json_encodings_is_refused(codec: str) -> None:
    refused_with('{"kty": "oct", "k": "AA"}'.encode(codec), LOOKS_LIKE_JWK)


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[]",
        '{"k": "c2VjcmV0"}',
        '{"KTY": "oct"}',
        '{"kty ": "oct"}',
        '["kty", "oct"]',
        '{"a": "kty"}',
        '"kty"',
        '{"kty": "oct"',  # not valid JSON
        "null",
        "12345678901234567890123456789012",
    ],
)
def test_json_without_a_jwk_object_is_accepted(text: str) -> None:
    assert hs256().prepare_key(text) == text.encode()


# ---------------------------------------------------------------------------
# JSON nested deeper than the parser goes.

DEPTH = 20_000


@pytest.mark.parametrize(
    ("key", "verdict"),
    [
        pytest.param(b"[" * DEPTH, None, id="open-arrays"),
        pytest.param(b"[" * DEPTH + b"]" * DEPTH, None, id="closed-arrays"),
        pytest.param(b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, LOOKS_LIKE_JWK, id="objects"),
        pytest.param(
            b'\xef\xbb\xbf \n{"a":' * 1 + b'{"a":' * DEPTH, LOOKS_LIKE_JWK, id="bom-objects"
        ),
        pytest.param(b"\r\n\t " + b'{"b":' * DEPTH, LOOKS_LIKE_JWK, id="space-objects"),
        pytest.param(b"[" * DEPTH + b'{"kty":"oct"}', LOOKS_LIKE_JWK, id="arrays-then-jwk"),
        pytest.param(b"[" * DEPTH + b'{"k\\u0074y" :1}', LOOKS_LIKE_JWK, id="escaped-kty"),
        pytest.param(b"[" * DEPTH + b'"kty"', None, id="kty-as-value"),
        pytest.param(b"[" * DEPTH + b'"kty\\"":', None, id="longer-name"),
        pytest.param(b"[" * DEPTH + b'"kty', None, id="unterminated-string"),
        pytest.param(b"[" * DEPTH + b'"\\', None, id="dangling-escape"),
        pytest.param(b"{" * DEPTH, None, id="braces-are-not-json"),
        pytest.param(
            ("[" * DEPTH + '{"\ud800":1,"kty":2}').encode("utf-8", "surrogatepass"),
            LOOKS_LIKE_JWK,
            id="raw-surrogate",
        ),
        pytest.param("[" * DEPTH + '{"\\ud800":1,"kty":2}', LOOKS_LIKE_JWK, id="escaped-surrogate"),
    ],
)
def test_deep_nesting_never_crashes(key: Any, verdict: str | None) -> None:
    started = time.monotonic()
    alg = hs256()
    if verdict is None:
        assert alg.prepare_key(key) == (key if isinstance(key, bytes) else key.encode())
    else:
        with pytest.raises(InvalidKeyError) as caught:
            alg.prepare_key(key)
        assert str(caught.value) == verdict
        # No RecursionError is left hanging off the refusal.
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert time.monotonic() - started < 5


def test_deep_nesting_with_many_strings_is_linear() -> None:
    key = b"[" * DEPTH + b'"abc\\"def", ' * 50_000
    started = time.monotonic()
    assert hs256().prepare_key(key) == key
    assert time.monotonic() - started < 10


def test_deep_nesting_undecodable_after_bom_is_not_rejected() -> None:
    # The text is not valid in the encoding detected from its start, so
    # json.loads fails before nesting matters: just bytes.
    key = b"[" * DEPTH + b"\xff"
    assert hs256().prepare_key(key) == key


# ---------------------------------------------------------------------------
# Through the public API.


@needs_crypto
def test_encode_refuses_public_key_as_hmac_secret() -> None:
    pem = public_forms()["rsa-spki-pem"]
    with pytest.raises(InvalidKeyError) as caught:
        cyjwt.encode({"sub": "x"}, pem, algorithm="HS256")
    assert str(caught.value) == ASYMMETRIC


@needs_crypto
@pytest.mark.parametrize("form", ["rsa-spki-pem", "ec-spki-pem", "ed25519-openssh"])
def test_forged_token_with_public_key_secret_is_refused(form: str) -> None:
    public = public_forms()[form]
    token = forged_hs256(public, {"admin": True})
    with pytest.raises(InvalidKeyError) as caught:
        cyjwt.decode(token, public, algorithms=["HS256", "RS256", "ES256", "EdDSA"])
    assert str(caught.value) == ASYMMETRIC


@needs_crypto
def test_forged_token_with_jwk_text_secret_is_refused() -> None:
    jwk_text = json.dumps(jwk_forms()["rsa-public"])
    token = forged_hs256(jwk_text.encode(), {"admin": True})
    with pytest.raises(InvalidKeyError) as caught:
        cyjwt.decode(token, jwk_text, algorithms=["HS256"])
    assert str(caught.value) == LOOKS_LIKE_JWK


def test_oct_jwk_loaded_properly_still_works() -> None:
    secret = b"s" * 32
    jwk = cyjwt.PyJWK.from_dict(HMACAlgorithm.to_jwk(secret, as_dict=True))
    token = cyjwt.encode({"ok": 1}, jwk, algorithm="HS256")
    assert cyjwt.decode(token, jwk, algorithms=["HS256"]) == {"ok": 1}
    assert cyjwt.decode(token, secret, algorithms=["HS256"]) == {"ok": 1}


@needs_crypto
def test_eddsa_still_takes_its_own_openssh_key() -> None:
    line = public_forms()["ed25519-openssh"]
    alg = get_default_algorithms()["EdDSA"]
    signature = alg.sign(b"m", keys()["ed25519"])
    assert alg.verify(b"m", alg.prepare_key(line), signature)


# ---------------------------------------------------------------------------
# Differential against PyJWT 2.15.1.


def reference_hmac() -> Any:
    pyjwt = pytest.importorskip("jwt")
    if getattr(pyjwt, "__version__", None) != "2.15.1":
        pytest.skip("needs PyJWT 2.15.1")
    if "cyjwt" in (getattr(pyjwt, "__file__", None) or ""):
        pytest.skip("'jwt' is aliased to cyjwt")
    import jwt.algorithms

    return jwt.algorithms.HMACAlgorithm


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def verdict(alg: Any, key: Any) -> tuple[Any, ...]:
    try:
        return ("ok", alg.prepare_key(key))
    except Exception as err:
        cause = err.__cause__
        return (
            type(err).__name__,
            _ADDRESS.sub("", str(err)),
            None if cause is None else type(cause).__name__,
            err.__suppress_context__,
        )


def same_verdict(key: Any) -> None:
    theirs_cls = reference_hmac()
    for ctor in (hashlib.sha256, hashlib.sha512):
        ours, theirs = HMACAlgorithm(ctor), theirs_cls(ctor)
        assert verdict(ours, key) == verdict(theirs, key), key


DIFF_SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(["kty", "oct", "RSA", "k\u0074y", "", "\ud800"]),
    st.text(max_size=8),
)
json_names = st.sampled_from(["kty", "KTY", "kty ", "k", "keys", "x", "crv", "a", "\ufeff"])
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(json_names, inner, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def json_texts(draw: st.DrawFn) -> bytes:
    value = draw(json_values)
    indent = draw(st.sampled_from([None, 0, 2, "\t"]))
    ensure_ascii = draw(st.booleans())
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    text = draw(st.sampled_from(["", " ", "\n\t", "\ufeff", "\ufeff \r\n"])) + text
    text += draw(st.sampled_from(["", " ", "\n", "x"]))
    codec = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-32-le", "utf-16-be"]))
    return text.encode(codec, errors="surrogatepass")


json_tokens = st.lists(
    st.sampled_from(
        ['{', '}', '[', ']', '"kty"', '"k\\u0074y"', ":", ",", '"a"', " ", "\n", "\ufeff",
         '"', "\\", "1", "true", "null", '"\\"kty"', "-----BEGIN PUBLIC KEY-----",
         "-----END PUBLIC KEY-----", "ssh-rsa ", "MIIB"]
    ),
    max_size=40,
).map(lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass"))  # fmt: skip


@st.composite
def deep_texts(draw: st.DrawFn) -> bytes:
    depth = draw(st.sampled_from([3, 40, 3000, 12000]))
    opener = draw(st.sampled_from(["[", '{"a":', '[{"b":', "[ "]))
    prefix = draw(st.sampled_from(["", "\ufeff", " \n", "\t\ufeff"]))
    tail = draw(
        st.sampled_from(
            ["", "1", '"kty"', '{"kty":1}', '{"k\\u0074y" : 0}', '"kty" :', '"kty', "\\", '{"x":1}']
        )
    )
    closing = draw(st.booleans())
    text = prefix + opener * depth + tail
    if closing:
        text += ("]" if opener.startswith("[") else "}") * depth
    return text.encode("utf-8")


@given(st.binary(max_size=300))
@DIFF_SETTINGS
@example(b"")
@example(b"\x30\x82")
@example(b"\xef\xbb\xbf")
def test_random_bytes_same_as_pyjwt(key: bytes) -> None:
    same_verdict(key)


@given(st.text(max_size=100))
@DIFF_SETTINGS
def test_random_text_same_as_pyjwt(key: str) -> None:
    same_verdict(key)


@given(json_texts())
@DIFF_SETTINGS
def test_json_documents_same_as_pyjwt(key: bytes) -> None:
    same_verdict(key)


@given(json_tokens)
@DIFF_SETTINGS
def test_json_token_soup_same_as_pyjwt(key: bytes) -> None:
    same_verdict(key)


@given(deep_texts())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_deep_documents_same_as_pyjwt(key: bytes) -> None:
    same_verdict(key)


@needs_crypto
def test_key_material_same_as_pyjwt() -> None:
    for raw in public_forms().values():
        for variant in (raw, b"\xef\xbb\xbf" + raw, b"  \n" + raw, raw[:-10], raw[1:]):
            same_verdict(variant)
    for jwk in jwk_forms().values():
        for document in (jwk, [jwk], {"keys": [jwk]}):
            same_verdict(json.dumps(document))
            same_verdict(json.dumps(document, indent=2).encode("utf-16"))


@needs_crypto
@given(st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_corrupted_der_same_as_pyjwt(data: st.DataObject) -> None:
    raw = bytearray(
        data.draw(
            st.sampled_from([v for k, v in sorted(public_forms().items()) if k.endswith("-der")])
        )
    )
    for _ in range(data.draw(st.integers(0, 3))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    same_verdict(bytes(raw[:cut] if data.draw(st.booleans()) else raw))
