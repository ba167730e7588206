"""cyjwt against PyJWT 2.15.1, side by side, on the same generated inputs.

Everything a caller can observe is compared: return values (types and
dict order), exception class names along the MRO, messages, and the
class and message of the chained cause.  Skipped when PyJWT is absent.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cyjwt
from _observe import observe

pyjwt = pytest.importorskip("jwt")
if getattr(pyjwt, "__version__", None) != "2.15.1":  # pragma: no cover
    pytest.skip("differential tests need PyJWT 2.15.1", allow_module_level=True)

NOW = int(time.time())
KEYS = ["k" * 32, b"\x00\xff" * 40, "short", "s" * 64, "é" * 20]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both(call: Callable[[Any], tuple[Any, ...]]) -> None:
    assert call(cyjwt) == call(pyjwt)


claim_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=NOW - 10**6, max_value=NOW + 10**6),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.text(max_size=4), max_size=3),
    st.just(str(NOW + 1000)),
    st.just(str(NOW - 1000)),
)
payloads = st.dictionaries(
    st.sampled_from(["exp", "nbf", "iat", "iss", "aud", "sub", "jti", "x", "é", "nested"]),
    claim_values,
    max_size=6,
)


@SETTINGS
@given(
    payload=payloads,
    key=st.sampled_from(KEYS),
    alg=st.sampled_from(["HS256", "HS384", "HS512"]),
    sort_headers=st.booleans(),
)
def test_encode_identical(payload: dict[str, Any], key: Any, alg: str, sort_headers: bool) -> None:
    both(lambda lib: observe(lib.encode, payload, key, algorithm=alg, sort_headers=sort_headers))


def test_encode_datetime_claims_and_headers() -> None:
    moment = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    payload = {"exp": moment, "iat": moment - timedelta(days=1), "nbf": moment, "iss": "me"}
    for headers in (None, {"kid": "a"}, {"typ": None}, {"alg": "HS512"}, {"b64": True}):
        both(lambda lib: observe(lib.encode, payload, "k" * 64, headers=headers))
    assert payload["exp"] is moment  # the caller's dict is left alone


def make_token(payload: Any, key: Any, alg: str, header: Any = None) -> str:
    """A correctly signed token around any JSON, made without either library."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    head = header if header is not None else {"alg": alg, "typ": "JWT"}
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = b64(json.dumps(head).encode()) + b"." + b64(body)
    raw_key = key.encode() if isinstance(key, str) else key
    digest = getattr(hashlib, "sha" + alg[2:])
    return (signing_input + b"." + b64(hmac.new(raw_key, signing_input, digest).digest())).decode()


def mutate(token: str, how: int, where: int) -> str:
    """Small corruptions, the kind an attacker or a broken proxy makes."""
    if not token:
        return token
    where %= len(token)
    choices = [
        lambda: token[:where] + token[where + 1 :],
        lambda: token[:where] + "A" + token[where:],
        lambda: token[:where] + "=" + token[where:],
        lambda: token[:where] + "." + token[where:],
        lambda: token[:where] + " " + token[where:],
        lambda: token[:where] + "é" + token[where:],
        lambda: token + "==",
        lambda: token.replace(".", "", 1),
        lambda: token[:where] + chr(ord(token[where]) ^ 1) + token[where + 1 :],
        lambda: token.upper(),
        lambda: token,
    ]
    return choices[how % len(choices)]()


@SETTINGS
@given(
    payload=payloads,
    key=st.sampled_from(KEYS),
    alg=st.sampled_from(["HS256", "HS384", "HS512"]),
    how=st.integers(0, 20),
    where=st.integers(0, 10**4),
    as_bytes=st.booleans(),
    allowed=st.sampled_from([["HS256"], ["HS256", "HS384", "HS512"], ("HS512",), ["RS256"]]),
    audience=st.sampled_from([None, "a", ["a", "b"], "", ("b",)]),
    issuer=st.sampled_from([None, "i", ["i"], ("j", "i"), ""]),
    leeway=st.sampled_from([0, 5, 2.5, timedelta(seconds=30), -3]),
    complete=st.booleans(),
)
@example(
    payload={"exp": NOW + 86400},
    key="k" * 32,
    alg="HS256",
    how=10,
    where=0,
    as_bytes=False,
    allowed=["HS256"],
    audience=None,
    issuer=None,
    leeway=0,
    complete=False,
)
def test_decode_identical(
    payload: dict[str, Any],
    key: Any,
    alg: str,
    how: int,
    where: int,
    as_bytes: bool,
    allowed: Any,
    audience: Any,
    issuer: Any,
    leeway: Any,
    complete: bool,
) -> None:
    token = mutate(make_token(payload, key, alg), how, where)
    token_arg: Any = token.encode("utf-8") if as_bytes else token

    def call(lib: Any) -> tuple[Any, ...]:
        func = lib.decode_complete if complete else lib.decode
        return observe(
            func,
            token_arg,
            key,
            algorithms=allowed,
            audience=audience,
            issuer=issuer,
            leeway=leeway,
        )

    both(call)


@SETTINGS
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "typ", "kid", "crit", "b64", "x"]),
        st.one_of(
            st.sampled_from(["HS256", "none", "RS256", "", "b64", "JWT"]),
            st.none(),
            st.booleans(),
            st.integers(),
            st.lists(st.sampled_from(["b64", "x", 1]), max_size=2),
        ),
        max_size=5,
    ),
    payload_json=st.sampled_from(
        [
            b'{"a":1}',
            b"[1]",
            b'"s"',
            b"{",
            b"",
            b'{"a":NaN}',
            b'\xef\xbb\xbf{"a":2}',
            b'{"a":"\xff"}',
        ]
    ),
    key=st.sampled_from(KEYS),
)
def test_decode_handmade_tokens(header: dict[str, Any], payload_json: bytes, key: Any) -> None:
    token = make_token(payload_json, key, "HS256", header=header)
    both(lambda lib: observe(lib.decode, token, key, algorithms=["HS256"]))
    both(lambda lib: observe(lib.decode_complete, token, key, algorithms=["HS256", "RS256"]))
    both(lambda lib: observe(lib.get_unverified_header, token))


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "e30.e30.",
        "eyJhbGciOiJIUzI1NiJ9.e30.\udc80",
        "eyJhbGciOiJIUzI1NiJ9.e30.abc\x00",
        b"\xff.\xfe.\xfd",
        bytearray(b"a.b.c"),
        12345,
        None,
        "eyJhbGciOiJIUzI1NiJ9" + "." + "A" * 100000 + ".sig",
    ],
)
@pytest.mark.parametrize("func", ["decode", "decode_complete", "get_unverified_header"])
def test_bad_tokens(token: Any, func: str) -> None:
    def call(lib: Any) -> tuple[Any, ...]:
        if func == "get_unverified_header":
            return observe(lib.get_unverified_header, token)
        return observe(getattr(lib, func), token, "k" * 32, algorithms=["HS256"])

    both(call)


class StrToken(str):
    pass


def test_subclassed_and_odd_arguments() -> None:
    token = pyjwt.encode({"sub": "x", "aud": ["a"]}, "k" * 32)
    for tok in (StrToken(token), token.encode()):
        both(lambda lib: observe(lib.decode, tok, "k" * 32, algorithms=["HS256"], audience="a"))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms="HS256", audience="a"))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=[], audience="a"))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], audience=5))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], audience={"a"}))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], subject="x"))
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], subject="y"))
    both(
        lambda lib: observe(
            lib.decode, token, "k" * 32, algorithms=["HS256"], audience="a", issuer=5
        )
    )
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], foo=1))
    both(lambda lib: observe(lib.decode, token, "k" * 32, ["HS256"], audience="a", verify=False))


def test_options_and_require() -> None:
    token = pyjwt.encode({"exp": NOW - 100, "aud": "a"}, "k" * 32)
    for options in (
        None,
        {"verify_exp": False},
        {"verify_signature": False},
        {"require": ["exp", "iss"]},
        {"strict_aud": True},
        {"verify_aud": False},
        {"enforce_minimum_key_length": True},
    ):
        both(
            lambda lib: observe(
                lib.decode, token, "k" * 32, algorithms=["HS256"], options=options, audience="a"
            )
        )
        both(lambda lib: observe(lib.decode, token, "short", algorithms=["HS256"], options=options))


def test_key_confusion() -> None:
    pem = (
        "-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
        "-----END PUBLIC KEY-----\n"
    )
    for key in (
        pem,
        "\ufeff" + pem,
        "ssh-rsa AAAA",
        '{"kty":"oct","k":"abc"}',
        ' [{"kty": 1}]',
        "",
        b"",
    ):
        both(lambda lib: observe(lib.encode, {"a": 1}, key, algorithm="HS256"))
        token = pyjwt.encode({"a": 1}, "k" * 32)
        both(lambda lib: observe(lib.decode, token, key, algorithms=["HS256"]))


class BytesToken(bytes):
    pass


class DictPayload(dict):  # type: ignore[type-arg]
    pass


def test_subclassed_bytes_token_and_dict_payload() -> None:
    token = make_token({"a": 1}, "k" * 32, "HS256")
    both(
        lambda lib: observe(lib.decode, BytesToken(token.encode()), "k" * 32, algorithms=["HS256"])
    )
    both(lambda lib: observe(lib.encode, DictPayload(a=1, exp=NOW + 10), "k" * 32))
    both(lambda lib: observe(lib.encode, {"a": 1}, "k" * 32, headers={"kid": "x", "typ": "at+jwt"}))


CLAIM_FAILURES = [
    ({"exp": NOW - 10}, {}, "ExpiredSignatureError", "Signature has expired"),
    ({"exp": "soon"}, {}, "DecodeError", "Expiration Time claim (exp) must be an integer."),
    ({"nbf": NOW + 86400}, {}, "ImmatureSignatureError", "The token is not yet valid (nbf)"),
    ({"nbf": [1]}, {}, "DecodeError", "Not Before claim (nbf) must be an integer."),
    ({"iat": NOW + 86400}, {}, "ImmatureSignatureError", "The token is not yet valid (iat)"),
    ({"iat": "x"}, {}, "InvalidIssuedAtError", "Issued At claim (iat) must be an integer."),
    ({"iss": "a"}, {"issuer": "b"}, "InvalidIssuerError", "Invalid issuer"),
    ({"iss": 1}, {"issuer": "b"}, "InvalidIssuerError", "Payload Issuer (iss) must be a string"),
    ({}, {"issuer": "b"}, "MissingRequiredClaimError", 'Token is missing the "iss" claim'),
    (
        {"iss": "a"},
        {"issuer": 5},
        "InvalidIssuerError",
        'Issuer param must be "str" or "Container[str]"',
    ),
    ({"aud": "a"}, {}, "InvalidAudienceError", "Invalid audience"),
    ({}, {"audience": "a"}, "MissingRequiredClaimError", 'Token is missing the "aud" claim'),
    ({"aud": "b"}, {"audience": "a"}, "InvalidAudienceError", "Audience doesn't match"),
    ({"aud": 3}, {"audience": "a"}, "InvalidAudienceError", "Invalid claim format in token"),
    ({"aud": ["a", 3]}, {"audience": "a"}, "InvalidAudienceError", "Invalid claim format in token"),
    (
        {"aud": ["a"]},
        {"audience": "a", "options": {"strict_aud": True}},
        "InvalidAudienceError",
        "Invalid claim format in token (strict)",
    ),
    (
        {"aud": "a"},
        {"audience": ["a"], "options": {"strict_aud": True}},
        "InvalidAudienceError",
        "Invalid audience (strict)",
    ),
    (
        {"aud": "b"},
        {"audience": "a", "options": {"strict_aud": True}},
        "InvalidAudienceError",
        "Audience doesn't match (strict)",
    ),
    ({"sub": 1}, {}, "InvalidSubjectError", "Subject must be a string"),
    ({"sub": "a"}, {"subject": "b"}, "InvalidSubjectError", "Invalid subject"),
    ({"jti": 1}, {}, "InvalidJTIError", "JWT ID must be a string"),
    (
        {},
        {"options": {"require": ["exp"]}},
        "MissingRequiredClaimError",
        'Token is missing the "exp" claim',
    ),
    ({"aud": "a"}, {"audience": 5}, "TypeError", "audience must be a string, iterable or None"),
]


@pytest.mark.parametrize(("payload", "kwargs", "error", "message"), CLAIM_FAILURES)
def test_every_claim_failure(
    payload: dict[str, Any], kwargs: dict[str, Any], error: str, message: str
) -> None:
    token = make_token(payload, "k" * 32, "HS256")
    outcome = observe(cyjwt.decode, token, "k" * 32, algorithms=["HS256"], **kwargs)
    assert outcome[0] == "error"
    assert outcome[1][0] == error and outcome[2] == message
    both(lambda lib: observe(lib.decode, token, "k" * 32, algorithms=["HS256"], **kwargs))
    both(lambda lib: observe(lib.decode_complete, token, "k" * 32, algorithms=["HS256"], **kwargs))


def test_asymmetric_tokens_identical_outcomes() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    keys: list[
        tuple[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey]
    ] = [
        ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("PS384", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES256", ec.generate_private_key(ec.SECP256R1())),
        ("ES384", ec.generate_private_key(ec.SECP384R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
    ]
    payload = {"sub": "x", "aud": ["api"], "exp": int(time.time()) + 3600, "iss": "me"}
    for alg, private in keys:
        public = private.public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        token = pyjwt.encode(payload, private, algorithm=alg)
        # cyjwt's tokens verify under PyJWT and the other way round
        assert pyjwt.decode(
            cyjwt.encode(payload, private, algorithm=alg), public, algorithms=[alg], audience="api"
        )
        for key in (public, pem, private, "k" * 32):
            for tok in (token, token[:-2] + "xx", token.replace(".", ".e30.", 1)):
                for kwargs in ({"audience": "api", "issuer": "me"}, {"audience": "other"}, {}):
                    both(lambda lib: observe(lib.decode, tok, key, algorithms=[alg], **kwargs))
                    both(
                        lambda lib: observe(
                            lib.decode, tok, key, algorithms=[alg, "HS256"], **kwargs
                        )
                    )


MODULES = [
    "",
    "api_jws",
    "api_jwt",
    "api_jwk",
    "algorithms",
    "exceptions",
    "jwks_client",
    "jwk_set_cache",
    "utils",
    "warnings",
    "types",
    "help",
]


@pytest.mark.parametrize("module", MODULES)
def test_every_name_of_pyjwts_module_exists(module: str) -> None:
    """jwt.X and cyjwt.X: every public name (and class attribute) PyJWT has."""
    import importlib
    import inspect
    import types as pytypes

    theirs = importlib.import_module("jwt" + ("." + module if module else ""))
    ours = importlib.import_module("cyjwt" + ("." + module if module else ""))
    missing = []
    for name, value in vars(theirs).items():
        if name.startswith("_") or isinstance(value, pytypes.ModuleType):
            continue
        if not hasattr(ours, name):
            missing.append(name)
            continue
        if isinstance(value, type):
            ours_cls = getattr(ours, name)
            missing += [
                f"{name}.{a}"
                for a in vars(value)
                if not a.startswith("__") and not hasattr(ours_cls, a)
            ]
            for attr, member in vars(value).items():
                if callable(member) and not attr.startswith("__") and inspect.isfunction(member):
                    mine = inspect.signature(getattr(ours_cls, attr))
                    assert list(mine.parameters) == list(inspect.signature(member).parameters), (
                        name,
                        attr,
                    )
    assert missing == []


@pytest.mark.parametrize("leeway", [10**400, -(10**400), 2**60, float("nan"), float("inf")])
def test_extreme_leeway(leeway: Any) -> None:
    for payload in ({"exp": NOW + 86400}, {"a": 1}, {"iat": NOW}):
        token = make_token(payload, "k" * 32, "HS256")
        for tok in (token, token + "!"):
            both(
                lambda lib: observe(lib.decode, tok, "k" * 32, algorithms=["HS256"], leeway=leeway)
            )
