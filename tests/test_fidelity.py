"""The last observable differences from PyJWT, each pinned: signers that
must fail where PyJWT fails, ``python -bb``, and recursion depth."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from array import array
from typing import Any, Callable

import jwt as pyjwt
import pytest

import cyjwt
from _observe import GENERAL_PATH, observe, python_calls

pytestmark = pytest.mark.usefixtures("active_core")

KEY = "s" * 32


def _flat(value: Any) -> list[Any]:
    """*value* as a flat list of tokens, without recursion (results here can
    be nested deeper than the recursion limit)."""
    out: list[Any] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            out.append(("dict", len(item)))
            for key, inner in reversed(list(item.items())):
                pending.append(inner)
                pending.append(("key", key))
        elif isinstance(item, list):
            out.append(("list", len(item)))
            pending.extend(reversed(item))
        else:
            out.append((type(item).__name__, item))
    return out


def both(action: Callable[[types.ModuleType], Any]) -> None:
    assert observe(lambda lib: _flat(action(lib)), cyjwt) == observe(
        lambda lib: _flat(action(lib)), pyjwt
    )


# -- item 1: a signer never fails open -------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        12,
        array("i", [1, 2, 3]),
        array("d", [1.5]),
        bytearray(b"ab"),
        memoryview(b"xyz"),
    ],
    ids=["None", "str", "int", "array-i", "array-d", "bytearray", "memoryview"],
)
def test_jws_encode_of_non_bytes_payloads(payload: Any) -> None:
    both(lambda lib: lib.api_jws.encode(payload, KEY, algorithm="HS256"))


@pytest.mark.parametrize("payload", ["text", None, bytearray(b"ab"), b"raw"])
def test_detached_payloads(payload: Any) -> None:
    both(lambda lib: lib.api_jws.encode(payload, KEY, algorithm="HS256", is_payload_detached=True))


def test_custom_algorithm_whose_sign_returns_none() -> None:
    def action(lib: types.ModuleType) -> Any:
        class Silent(lib.algorithms.Algorithm):  # type: ignore[misc,name-defined]
            def prepare_key(self, key: Any) -> Any:
                return key

            def sign(self, msg: bytes, key: Any) -> Any:
                return None

            def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
                return True

            @staticmethod
            def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
                raise NotImplementedError

            @staticmethod
            def from_jwk(jwk: Any) -> Any:
                raise NotImplementedError

        jws = lib.PyJWS()
        jws.register_algorithm("XX1", Silent())
        obj = lib.PyJWT()
        obj._jws = jws
        return obj.encode({"a": 1}, KEY, algorithm="XX1")

    both(action)


def test_subclass_encode_payload_returning_none() -> None:
    def action(lib: types.ModuleType) -> Any:
        class NoBody(lib.PyJWT):  # type: ignore[misc,name-defined]
            def _encode_payload(self, payload: Any, *args: Any, **kwargs: Any) -> Any:
                return None

        return NoBody().encode({"a": 1}, KEY, algorithm="HS256")

    both(action)


def test_core_b64url_encode_refuses_as_binascii(core: types.ModuleType) -> None:
    import base64

    for value in (None, "str", 5):
        with pytest.raises(TypeError) as ours:
            core.b64url_encode(value)
        with pytest.raises(TypeError) as reference:
            base64.urlsafe_b64encode(value)  # type: ignore[arg-type]
        assert str(ours.value) == str(reference.value)
    data = array("i", [1, -2, 3])
    assert core.b64url_encode(data) == base64.urlsafe_b64encode(data).rstrip(b"=")


# -- item 5: python -b / -bb ----------------------------------------------------

_BYTES_WARNING_SCRIPT = r"""
import cyjwt as jwt
for key_text in ("k" * 32, "q" * 40):
    for key in (key_text, key_text.encode()):
        token = jwt.encode({"a": 1}, key, algorithm="HS256")
        assert jwt.decode(token, key, algorithms=["HS256"]) == {"a": 1}
try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
except ImportError:
    pass
else:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for signing, verifying in ((pem, public), (pem.decode(), public.decode())):
        token = jwt.encode({"a": 1}, signing, algorithm="ES256")
        assert jwt.decode(token, verifying, algorithms=["ES256"]) == {"a": 1}
print("clean")
"""


@pytest.mark.parametrize("pure", [False, True], ids=["selected-core", "pure"])
def test_no_bytes_warning_under_bb(pure: bool) -> None:
    env = dict(os.environ)
    if pure:
        env["CYJWT_NO_EXTENSIONS"] = "1"
    done = subprocess.run(
        [sys.executable, "-bb", "-c", _BYTES_WARNING_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


# -- item 6: recursion depth ------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _token_with(lib: types.ModuleType, header_json: str, payload_json: str) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = b64(header_json.encode()) + b"." + b64(payload_json.encode())
    mac = hmac.new(KEY.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + b64(mac)).decode()


def _depths() -> list[int]:
    limit = sys.getrecursionlimit()
    return sorted({64, 65, 200, limit - 60, limit - 40, limit - 20, limit - 5, limit, limit + 50})


@pytest.mark.parametrize("depth", _depths())
def test_deep_payload_and_header_fail_where_pyjwt_does(depth: int) -> None:
    payload = '{"a":' + _nested(depth) + "}"
    header = '{"alg":"HS256","x":' + _nested(depth) + "}"

    def decode_payload(lib: types.ModuleType) -> Any:
        return lib.decode(_token_with(lib, '{"alg":"HS256"}', payload), KEY, algorithms=["HS256"])

    def decode_header(lib: types.ModuleType) -> Any:
        return lib.decode(_token_with(lib, header, "{}"), KEY, algorithms=["HS256"])

    def unverified_header(lib: types.ModuleType) -> Any:
        return lib.get_unverified_header(_token_with(lib, header, "{}"))

    for action in (decode_payload, decode_header, unverified_header):
        both(action)


@pytest.mark.parametrize("depth", _depths())
def test_deep_json_key_checked_where_pyjwt_does(depth: int) -> None:
    for key in (_nested(depth), '[{"kty":' + _nested(depth) + "}]", " " + _nested(depth)):

        def action(lib: types.ModuleType) -> Any:
            return lib.encode({"a": 1}, key, algorithm="HS256")

        both(action)


@pytest.mark.parametrize("depth", _depths())
def test_deep_payload_encoded_where_pyjwt_does(depth: int) -> None:
    value: Any = []
    for _ in range(depth):
        value = [value]

    both(lambda lib: lib.encode({"a": value}, KEY, algorithm="HS256"))


# -- unverified decodes (options={"verify_signature": False}) -------------------

_UNVERIFIED_TOKENS = [
    "good",
    "tampered",
    "expired",
    "kid-int",
    "no-alg",
    "bad-payload-json",
    "payload-list",
    "bad-padding",
    "two-segments",
    "crit",
]


def _unverified_token(lib: types.ModuleType, kind: str) -> Any:
    good = {"sub": "s", "exp": 4102444800, "aud": "api"}
    if kind in ("good", "tampered"):
        token = lib.encode(good, KEY, algorithm="HS256")
        return (
            token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB") if kind == "tampered" else token
        )
    if kind == "expired":
        return lib.encode({"exp": 1000}, KEY, algorithm="HS256")
    if kind == "kid-int":
        return _token_with(lib, '{"alg":"HS256","kid":5}', "{}")
    if kind == "no-alg":
        return _token_with(lib, '{"typ":"JWT"}', '{"a":1}')
    if kind == "bad-payload-json":
        return _token_with(lib, '{"alg":"HS256"}', "{not json")
    if kind == "payload-list":
        return _token_with(lib, '{"alg":"HS256"}', "[1]")
    if kind == "bad-padding":
        return lib.encode(good, KEY, algorithm="HS256") + "="
    if kind == "two-segments":
        return "abc.def"
    return _token_with(lib, '{"alg":"HS256","crit":["b64"],"b64":false}', "{}")


@pytest.mark.parametrize("kind", _UNVERIFIED_TOKENS)
@pytest.mark.parametrize(
    ("options", "kwargs"),
    [
        ({"verify_signature": False}, {}),
        ({"verify_signature": False}, {"algorithms": None, "key": ""}),
        ({"verify_signature": False, "verify_exp": True}, {"algorithms": "HS256"}),
        ({"verify_signature": False, "verify_aud": True}, {"audience": "other"}),
        ({"verify_signature": False, "require": ["iat"]}, {}),
        ({"verify_signature": 0, "verify_aud": None}, {"audience": "api"}),
    ],
)
def test_unverified_decodes_as_pyjwt(
    kind: str, options: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    def action(lib: types.ModuleType) -> Any:
        token = _unverified_token(lib, kind)
        call = dict(kwargs)
        key = call.pop("key", "wrong key")
        return (
            lib.decode(token, key, options=dict(options), **call),
            lib.decode_complete(token, key, options=dict(options), **call),
        )

    both(action)


def test_unverified_decode_takes_the_one_call_path() -> None:
    token = cyjwt.encode({"sub": "s"}, KEY, algorithm="HS256")
    claims, ran = python_calls(lambda: cyjwt.decode(token, options={"verify_signature": False}))
    assert claims == {"sub": "s"}
    assert not ran & GENERAL_PATH, sorted(ran & GENERAL_PATH)
