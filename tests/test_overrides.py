"""Callers reaching into the objects, as test suites and frameworks do
(``mock.patch.object``, an instance attribute, a patched algorithm), see
their change honoured exactly as PyJWT honours it, on both cores, at any
time: before or after the first call."""

from __future__ import annotations

import contextlib
import types
from typing import Any, Callable, Iterator
from unittest import mock

import jwt as pyjwt
import pytest

import cyjwt
from _observe import observe

pytestmark = pytest.mark.usefixtures("active_core")

KEY = "s" * 32
CLAIMS = {"sub": "someone", "exp": 4102444800, "iat": 1700000000}
LIBS = [pytest.param(cyjwt, id="cyjwt")]


def both(action: Callable[[types.ModuleType], Any]) -> None:
    """Run *action* with cyjwt and with PyJWT; they must be observed alike."""
    assert observe(action, cyjwt) == observe(action, pyjwt)


def _raise(message: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(message)

    return fail


def _warm(lib: types.ModuleType) -> None:
    """A first call, so that anything cached from it could go stale."""
    token = lib.encode(CLAIMS, KEY, algorithm="HS256")
    lib.decode(token, KEY, algorithms=["HS256"])
    lib.get_unverified_header(token)


# -- item 2: overrides on an instance ------------------------------------------


@pytest.mark.parametrize(
    "method", ["_validate_exp", "_validate_claims", "_decode_payload", "_validate_iat"]
)
def test_instance_method_replaced_on_pyjwt(method: str) -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        obj = lib.PyJWT()
        token = obj.encode(CLAIMS, KEY, algorithm="HS256")
        setattr(obj, method, _raise(f"{method} called"))
        return obj.decode(token, KEY, algorithms=["HS256"])

    both(action)


def test_global_object_patched_with_mock() -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        target = lib.api_jwt._jwt_global_obj
        with mock.patch.object(target, "_validate_claims", side_effect=ValueError("mocked")):
            first = observe(lib.decode, token, KEY, algorithms=["HS256"])
        after = lib.decode(token, KEY, algorithms=["HS256"])
        return first, after

    both(action)


@pytest.mark.parametrize("method", ["_verify_signature", "_validate_headers", "_load"])
def test_instance_method_replaced_on_pyjws(method: str) -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        obj = lib.PyJWT()
        token = obj.encode(CLAIMS, KEY, algorithm="HS256")
        setattr(obj._jws, method, _raise(f"{method} called"))
        return obj.decode(token, KEY, algorithms=["HS256"])

    both(action)


def test_pyjws_instance_header_check_replaced_for_unverified_header() -> None:
    def action(lib: types.ModuleType) -> Any:
        jws = lib.PyJWS()
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        jws.get_unverified_header(token)
        jws._validate_headers = _raise("headers checked")
        jws._load = _raise("loaded")
        return jws.get_unverified_header(token)

    both(action)


def test_instance_encode_payload_replaced() -> None:
    def action(lib: types.ModuleType) -> Any:
        obj = lib.PyJWT()
        obj.encode(CLAIMS, KEY, algorithm="HS256")
        obj._encode_payload = lambda payload, headers=None, json_encoder=None: b'{"swapped":1}'
        return obj.encode(CLAIMS, KEY, algorithm="HS256")

    both(action)


def test_instance_override_removed_again() -> None:
    def action(lib: types.ModuleType) -> Any:
        obj = lib.PyJWT()
        token = obj.encode(CLAIMS, KEY, algorithm="HS256")
        obj._validate_claims = _raise("claims")
        first = observe(obj.decode, token, KEY, algorithms=["HS256"])
        del obj._validate_claims
        return first, obj.decode(token, KEY, algorithms=["HS256"])

    both(action)


# -- item 3: algorithm objects ----------------------------------------------


@contextlib.contextmanager
def _patched_class(lib: types.ModuleType, name: str, value: Any) -> Iterator[None]:
    with mock.patch.object(lib.algorithms.HMACAlgorithm, name, value):
        yield


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("verify", lambda self, msg, key, sig: False),
        ("sign", lambda self, msg, key: b"fixed signature"),
        ("prepare_key", _raise("prepare_key consulted")),
        ("check_key_length", lambda self, key: "too short, says the patch"),
    ],
)
def test_hmac_class_patched_after_first_call(name: str, value: Any) -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        with _patched_class(lib, name, value):
            encoded = observe(lib.encode, CLAIMS, KEY, algorithm="HS256")
            decoded = observe(lib.decode, token, KEY, algorithms=["HS256"])
        return encoded, decoded, lib.decode(token, KEY, algorithms=["HS256"])

    both(action)


@pytest.mark.parametrize("name", ["verify", "sign", "prepare_key"])
def test_registered_hmac_instance_patched(name: str) -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        alg_obj = lib.api_jws._jws_global_obj._algorithms["HS256"]
        replacement = {
            "verify": lambda msg, key, sig: False,
            "sign": lambda msg, key: b"instance signature",
            "prepare_key": _raise("instance prepare_key"),
        }[name]
        with mock.patch.object(alg_obj, name, replacement):
            encoded = observe(lib.encode, CLAIMS, KEY, algorithm="HS256")
            decoded = observe(lib.decode, token, KEY, algorithms=["HS256"])
        return encoded, decoded

    both(action)


def test_stricter_hmac_subclass_registered() -> None:
    def action(lib: types.ModuleType) -> Any:
        class Strict(lib.algorithms.HMACAlgorithm):  # type: ignore[misc,name-defined]
            def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
                return False

        jws = lib.PyJWS()
        jws.unregister_algorithm("HS256")
        jws.register_algorithm("HS256", Strict(Strict.SHA256))
        obj = lib.PyJWT()
        obj._jws = jws
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        return obj.decode(token, KEY, algorithms=["HS256"])

    both(action)


def test_asymmetric_prepare_key_patched_after_first_call() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    def action(lib: types.ModuleType) -> Any:
        token = lib.encode(CLAIMS, pem, algorithm="ES256")
        lib.decode(token, public, algorithms=["ES256"])
        with mock.patch.object(lib.algorithms.ECAlgorithm, "prepare_key", _raise("ec key")):
            decoded = observe(lib.decode, token, public, algorithms=["ES256"])
            encoded = observe(lib.encode, CLAIMS, pem, algorithm="ES256")
        return decoded, encoded, sorted(lib.decode(token, public, algorithms=["ES256"]))

    both(action)


# -- item 4: class patches after the first call -------------------------------


@pytest.mark.parametrize(
    ("cls_name", "method"),
    [
        ("PyJWT", "_validate_exp"),
        ("PyJWT", "_decode_payload"),
        ("PyJWT", "_validate_claims"),
        ("PyJWT", "_encode_payload"),
        ("PyJWS", "_verify_signature"),
        ("PyJWS", "_load"),
        ("PyJWS", "_validate_headers"),
    ],
)
def test_class_patched_after_first_call(cls_name: str, method: str) -> None:
    def action(lib: types.ModuleType) -> Any:
        _warm(lib)
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        cls = getattr(lib, cls_name)
        with mock.patch.object(cls, method, _raise(f"{cls_name}.{method}")):
            decoded = observe(lib.decode, token, KEY, algorithms=["HS256"])
            encoded = observe(lib.encode, CLAIMS, KEY, algorithm="HS256")
            header = observe(lib.get_unverified_header, token)
        restored = lib.decode(token, KEY, algorithms=["HS256"])
        return decoded, encoded, header, restored

    both(action)


# -- the modules the general path reads ----------------------------------------


@pytest.mark.parametrize(
    "target", ["api_jwt.json.loads", "api_jws.json.loads", "api_jwt.json.dumps"]
)
def test_patched_json_functions_are_called(target: str) -> None:
    def action(lib: types.ModuleType) -> Any:
        token = lib.encode(CLAIMS, KEY, algorithm="HS256")
        _warm(lib)
        module_name, _, attribute = target.rpartition(".")
        json_module = getattr(lib, module_name.split(".")[0]).json
        real = getattr(json_module, attribute)
        calls: list[str] = []

        def spy(*args: Any, **kwargs: Any) -> Any:
            calls.append(attribute)
            return real(*args, **kwargs)

        with mock.patch.object(json_module, attribute, spy):
            results = (
                observe(lib.decode, token, KEY, algorithms=["HS256"]),
                observe(lib.decode, token, options={"verify_signature": False}),
                observe(lib.get_unverified_header, token),
                observe(lib.encode, CLAIMS, KEY, algorithm="HS256"),
            )
        return results, calls

    both(action)


def test_decode_payload_recursion_from_a_patched_loads() -> None:
    def action(lib: types.ModuleType) -> Any:
        token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.e30."
        _warm(lib)
        with mock.patch.object(
            lib.api_jwt.json, "loads", side_effect=[{"alg": "none", "typ": "JWT"}, RecursionError()]
        ):
            return lib.decode(token, options={"verify_signature": False})

    both(action)
