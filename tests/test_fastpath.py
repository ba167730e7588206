"""The one-call fast path against the general path, and when each is taken.

The general path is reached honestly: through a subclass that overrides a
hook with an equivalent method, which the fast path must never take.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyjwt

NOW = int(time.time())

# Every test here runs once per core (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("active_core")


class GeneralOnly(cyjwt.PyJWT):
    """Same behaviour, but an overridden hook keeps it off the fast path."""

    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        return super()._decode_payload(decoded)

    def _encode_payload(self, payload: dict[str, Any], *args: Any, **kwargs: Any) -> bytes:
        return super()._encode_payload(payload, *args, **kwargs)


GENERAL = GeneralOnly()
FAST = cyjwt.PyJWT()


def observe(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: tuple[Any, ...] = ("ok", repr(func(*args, **kwargs)))
        except Exception as err:
            cause = err.__cause__
            out = (
                "error",
                type(err),
                str(err),
                None if cause is None else (type(cause), str(cause)),
                err.__suppress_context__,
                None if err.__context__ is None else (type(err.__context__), str(err.__context__)),
            )
    return out + ([(w.category, str(w.message)) for w in caught],)


def test_implementation_is_the_expected_one() -> None:
    """Fails when the extension was built but the pure twin got loaded."""
    expected = os.environ.get("CYJWT_EXPECT_IMPLEMENTATION")
    if expected is None:
        pytest.skip("CYJWT_EXPECT_IMPLEMENTATION not set")
    assert cyjwt.IMPLEMENTATION == expected
    assert importlib.import_module("cyjwt._core")._load().IMPLEMENTATION == expected


def test_subclass_overrides_are_called() -> None:
    calls: list[str] = []

    class Spy(cyjwt.PyJWT):
        def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
            calls.append("decode")
            return super()._decode_payload(decoded)

        def _validate_claims(self, *args: Any, **kwargs: Any) -> None:
            calls.append("claims")
            super()._validate_claims(*args, **kwargs)

        def _encode_payload(self, payload: dict[str, Any], *args: Any, **kwargs: Any) -> bytes:
            calls.append("encode")
            return super()._encode_payload(payload, *args, **kwargs)

    spy = Spy()
    token = spy.encode({"a": 1}, "k" * 32)
    assert spy.decode(token, "k" * 32, algorithms=["HS256"]) == {"a": 1}
    assert calls == ["encode", "decode", "claims"]


def test_patched_datetime_goes_to_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """freezegun patches ``datetime`` in modules; the claims must see it."""
    token = cyjwt.encode({"exp": NOW + 100}, "k" * 32)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.fromtimestamp(NOW + 1000, tz=timezone.utc)

    monkeypatch.setattr(cyjwt.api_jwt, "datetime", Frozen)
    with pytest.raises(cyjwt.ExpiredSignatureError):
        cyjwt.decode(token, "k" * 32, algorithms=["HS256"])


def test_mutated_instance_options_are_seen() -> None:
    obj = cyjwt.PyJWT()
    token = obj.encode({"exp": NOW - 100}, "k" * 32)
    with pytest.raises(cyjwt.ExpiredSignatureError):
        obj.decode(token, "k" * 32, algorithms=["HS256"])
    obj.options["verify_exp"] = False
    assert obj.decode(token, "k" * 32, algorithms=["HS256"]) == {"exp": NOW - 100}


def test_short_key_warns_from_the_frames_pyjwt_warns_from() -> None:
    with pytest.warns(cyjwt.InsecureKeyLengthWarning) as record:
        token = FAST.encode({"a": 1}, "short")
    assert record[0].filename.endswith("api_jwt.py")
    with pytest.warns(cyjwt.InsecureKeyLengthWarning) as record:
        FAST.decode(token, "short", algorithms=["HS256"])
    assert record[0].filename.endswith("api_jwt.py")
    with pytest.warns(cyjwt.InsecureKeyLengthWarning) as record:
        FAST.decode_complete(token, "short", algorithms=["HS256"])
    assert record[0].filename == __file__


def test_threads_share_keys_safely() -> None:
    keys = [f"key-{i:02d}-" + "x" * 32 for i in range(8)]
    tokens = [cyjwt.encode({"i": i, "exp": NOW + 86400}, k) for i, k in enumerate(keys)]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(400):
                i = (n + offset) % len(keys)
                assert cyjwt.decode(tokens[i], keys[i], algorithms=["HS256"])["i"] == i
                with pytest.raises(cyjwt.InvalidSignatureError):
                    cyjwt.decode(tokens[i], keys[(i + 1) % len(keys)], algorithms=["HS256"])
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


claims = st.dictionaries(
    st.sampled_from(["exp", "nbf", "iat", "iss", "aud", "sub", "jti", "k"]),
    st.one_of(
        st.integers(NOW - 10**5, NOW + 10**5),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.none(),
        st.booleans(),
        st.lists(st.sampled_from(["a", "b", 1]), max_size=3),
        st.just(datetime.fromtimestamp(NOW + 500, tz=timezone.utc)),
    ),
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=claims,
    key=st.sampled_from(
        ["k" * 32, b"b" * 64, "short", "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----"]
    ),
    alg=st.sampled_from(["HS256", "HS384", "HS512"]),
    cut=st.integers(0, 400),
    flip=st.sampled_from(["", "=", ".", "A", "!", "é", "drop"]),
    audience=st.sampled_from([None, "a", ["a", "x"], ("b",), {"a"}]),
    issuer=st.sampled_from([None, "i", ["i", "j"], frozenset({"j"})]),
    leeway=st.sampled_from([0, 10, 0.5, timedelta(minutes=2)]),
    subject=st.sampled_from([None, "s"]),
    as_bytes=st.booleans(),
    options=st.sampled_from(
        [
            None,
            {},
            {"verify_exp": False},
            {"require": ["exp", "iat"]},
            {"require": ("sub",), "verify_aud": False},
            {"strict_aud": True},
            {"verify_signature": False},
            {"verify_signature": True, "verify_iat": 0, "verify_nbf": None},
            {"enforce_minimum_key_length": True},
            {"require": "exp"},
        ]
    ),
)
def test_fast_and_general_paths_agree(
    payload: dict[str, Any],
    key: Any,
    alg: str,
    cut: int,
    flip: str,
    audience: Any,
    issuer: Any,
    leeway: Any,
    subject: Any,
    as_bytes: bool,
    options: Any,
) -> None:
    for headers in (
        None,
        {},
        {"kid": "k1"},
        {"kid": "k1", "cty": "x"},
        {"kid": 5},
        {"typ": "at+jwt"},
        {"alg": "HS512"},
    ):
        for sort_headers in (True, False):
            both = [
                observe(
                    obj.encode,
                    payload,
                    key,
                    algorithm=alg,
                    headers=headers,
                    sort_headers=sort_headers,
                )
                for obj in (FAST, GENERAL)
            ]
            assert both[0] == both[1], headers
    encoded = [observe(obj.encode, payload, key, algorithm=alg) for obj in (FAST, GENERAL)]
    assert encoded[0] == encoded[1]
    if encoded[0][0] != "ok":
        return
    token: str = eval(encoded[0][1])  # repr of a str
    if flip:
        where = cut % (len(token) + 1)
        token = (
            token[:where] + token[where + 1 :]
            if flip == "drop"
            else token[:where] + flip + token[where:]
        )
    arg: Any = token.encode("utf-8") if as_bytes else token
    for method in ("decode", "decode_complete"):
        results = [
            observe(
                getattr(obj, method),
                arg,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                leeway=leeway,
                subject=subject,
                options=options,
            )
            for obj in (FAST, GENERAL)
        ]
        assert results[0] == results[1]


def _asymmetric_keys() -> list[tuple[str, Any, Any]]:
    """(algorithm, private key, public key) for each family, as objects and as PEM."""
    crypto = pytest.importorskip("cryptography")
    assert crypto
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    out: list[tuple[str, Any, Any]] = []
    for alg, private in (
        ("RS256", rsa_key),
        ("PS256", rsa_key),
        ("ES256", ec_key),
        ("EdDSA", ed_key),
    ):
        public = private.public_key()
        out.append((alg, private, public))
        pem_private = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        pem_public = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        out.append((alg, pem_private, pem_public))
    return out


@pytest.fixture(scope="module")
def asymmetric_keys() -> list[tuple[str, Any, Any]]:
    return _asymmetric_keys()


def test_asymmetric_fast_and_general_paths_agree(
    asymmetric_keys: list[tuple[str, Any, Any]],
) -> None:
    now = int(time.time())
    payload = {"sub": "x", "aud": "api", "exp": now + 3600, "iat": now, "nbf": now - 5}
    for alg, private, public in asymmetric_keys:
        token = FAST.encode(payload, private, algorithm=alg)
        general_token = GENERAL.encode(payload, private, algorithm=alg)
        assert token.split(".")[:2] == general_token.split(".")[:2]
        for candidate in (token, general_token):
            for tok in (
                candidate,
                candidate[:-3] + "AAA",
                candidate.replace(".", "..", 1),
                candidate + "=",
            ):
                for kwargs in (
                    {"algorithms": [alg], "audience": "api"},
                    {"algorithms": [alg], "audience": "other"},
                    {"algorithms": ["HS256"], "audience": "api"},
                    {"algorithms": [alg, "HS256"]},
                ):
                    for method in ("decode", "decode_complete"):
                        outcomes = [
                            observe(getattr(obj, method), tok, public, **kwargs)
                            for obj in (FAST, GENERAL)
                        ]
                        assert outcomes[0] == outcomes[1], (alg, tok, kwargs, method)
        # the public key cannot sign, and the private key given to decode behaves as in PyJWT
        assert observe(FAST.encode, payload, public, algorithm=alg) == observe(
            GENERAL.encode, payload, public, algorithm=alg
        )
        assert observe(FAST.decode, token, private, algorithms=[alg], audience="api") == observe(
            GENERAL.decode, token, private, algorithms=[alg], audience="api"
        )


def test_pyjwk_keys_take_the_general_path(asymmetric_keys: list[tuple[str, Any, Any]]) -> None:
    alg, private, public = asymmetric_keys[0]
    jwk = cyjwt.PyJWK(
        cyjwt.algorithms.get_default_algorithms()[alg].to_jwk(public, as_dict=True), alg
    )
    token = cyjwt.encode({"a": 1}, private, algorithm=alg)
    assert cyjwt.decode(token, jwk, algorithms=[alg]) == {"a": 1}
    with pytest.raises(cyjwt.InvalidAlgorithmError, match="does not match the key's algorithm"):
        cyjwt.decode(cyjwt.encode({"a": 1}, "k" * 32), jwk, algorithms=[alg, "HS256"])


class GeneralJWS(cyjwt.PyJWS):
    def _load(self, jwt: Any) -> Any:
        return super()._load(jwt)


@settings(max_examples=300, deadline=None)
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "typ", "kid", "crit", "b64", "x5t"]),
        st.one_of(
            st.sampled_from(["HS256", "b64", "k1"]),
            st.integers(),
            st.booleans(),
            st.lists(st.just("b64"), max_size=1),
        ),
        max_size=4,
    ),
    cut=st.integers(0, 200),
    flip=st.sampled_from(["", "=", ".", "!", "é", "drop"]),
    repeat=st.booleans(),
)
def test_unverified_header_fast_and_general_agree(
    header: dict[str, Any], cut: int, flip: str, repeat: bool
) -> None:
    import base64
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    token = f"{b64(json.dumps(header).encode())}.{b64(b'{}')}.{b64(b'sig')}"
    if flip:
        where = cut % (len(token) + 1)
        token = (
            token[:where] + token[where + 1 :]
            if flip == "drop"
            else token[:where] + flip + token[where:]
        )
    for _ in range(2 if repeat else 1):  # the second read may come from the header cache
        fast = observe(cyjwt.PyJWS().get_unverified_header, token)
        assert fast == observe(GeneralJWS().get_unverified_header, token)
    if fast[0] == "ok":
        first = cyjwt.get_unverified_header(token)
        first["mutated"] = True
        assert "mutated" not in cyjwt.get_unverified_header(token)


def test_more_keys_than_the_caches_hold() -> None:
    """Past its bound a cache starts over (or stops growing); results stay right."""
    keys = [f"tenant-{i:04d}-" + "s" * 32 for i in range(700)]
    tokens = [cyjwt.encode({"t": i}, key) for i, key in enumerate(keys)]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(len(keys)):
                i = (n * 7 + offset) % len(keys)
                assert cyjwt.decode(tokens[i], keys[i], algorithms=["HS256"]) == {"t": i}
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
