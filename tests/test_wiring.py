"""How the core is wired in: its exports, the eligibility lists, and proof
that plain calls really take the one-call path (were it to fall back to
the general path silently, every other test would still pass)."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import types
from pathlib import Path
from typing import Any

import pytest

import cyjwt
from _observe import GENERAL_PATH, python_calls
from cyjwt import _core, _core_py, _fastpath, api_jws, api_jwt

try:
    _core_c: types.ModuleType | None = importlib.import_module("cyjwt._core_c")
except ImportError:  # pure-Python install
    _core_c = None

KEY = "k" * 32
TOKEN = cyjwt.encode({"sub": "x"}, KEY, algorithm="HS256")
STUB = Path(_core_py.__file__).with_name("_core_c.pyi")


def _stub_module() -> ast.Module:
    return ast.parse(STUB.read_text())


def _stub_names() -> set[str]:
    names: set[str] = set()
    for node in _stub_module().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _stub_all() -> list[str]:
    for node in _stub_module().body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError("the stub has no __all__")


def _stub_parameters(name: str) -> list[str]:
    for node in _stub_module().body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            args = node.args
            return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    raise AssertionError(name)


def test_the_twins_and_the_stub_export_the_same_names() -> None:
    twin = set(_core_py.__all__)
    stub = set(_stub_all())
    assert stub - twin == {"OPENSSL_VERSION"}
    assert _stub_names() >= stub
    if _core_c is not None:
        assert set(_core_c.__all__) == stub
        for name in _core_c.__all__:
            assert hasattr(_core_c, name), name
    for name in _core_py.__all__:
        assert hasattr(_core_py, name), name
    # The selector re-exports the chosen twin's names.
    for name in _core_py.__all__:
        assert hasattr(_core, name), name


def test_the_twins_and_the_stub_agree_on_signatures() -> None:
    for name in _core_py.__all__:
        obj = getattr(_core_py, name)
        if not inspect.isfunction(obj):
            continue
        python_params = list(inspect.signature(obj).parameters)
        assert _stub_parameters(name) == python_params, name
        if _core_c is not None:
            compiled = getattr(_core_c, name)
            assert list(inspect.signature(compiled).parameters) == python_params, name


def test_exported_kinds_agree() -> None:
    if _core_c is None:
        pytest.skip("compiled core not built")
    for name in _core_py.__all__:
        py_obj, c_obj = getattr(_core_py, name), getattr(_core_c, name)
        assert isinstance(py_obj, type) == isinstance(c_obj, type), name
        assert callable(py_obj) == callable(c_obj), name


def test_every_private_attribute_the_core_reads_exists() -> None:
    owners: dict[str, Any] = {
        "PyJWT": api_jwt.PyJWT(),
        "PyJWS": api_jws.PyJWS(),
        "HMACAlgorithm": cyjwt.algorithms.HMACAlgorithm(cyjwt.algorithms.HMACAlgorithm.SHA256),
        "api_jwt": api_jwt,
        "api_jws": api_jws,
    }
    for path in _fastpath.CORE_READS:
        owner, attribute = path.split(".")
        assert hasattr(owners[owner], attribute), path


@pytest.mark.parametrize(
    ("cls", "checked", "not_on_path"),
    [
        (api_jwt.PyJWT, _fastpath.JWT_METHODS, _fastpath.JWT_NOT_ON_PATH),
        (api_jws.PyJWS, _fastpath.JWS_METHODS, _fastpath.JWS_NOT_ON_PATH),
    ],
)
def test_every_method_is_checked_or_marked_unused(
    cls: type, checked: tuple[str, ...], not_on_path: tuple[str, ...]
) -> None:
    """A method added to PyJWT/PyJWS must be classified: either the fast
    path checks it is unchanged, or it is known not to run on the path."""
    methods = {
        name
        for name, value in vars(cls).items()
        if callable(value) or isinstance(value, (staticmethod, classmethod, property))
    }
    unclassified = methods - set(checked) - set(not_on_path)
    assert not unclassified, f"classify these in cyjwt/_fastpath.py: {sorted(unclassified)}"
    assert not set(checked) & set(not_on_path)
    for name in checked:
        assert hasattr(cls, name), name


@pytest.mark.usefixtures("active_core")
def test_plain_calls_take_the_one_call_path() -> None:
    def calls() -> Any:
        token = cyjwt.encode({"sub": "x", "exp": 4102444800}, KEY, algorithm="HS256")
        return (
            token,
            cyjwt.decode(token, KEY, algorithms=["HS256"]),
            cyjwt.decode(token, KEY, algorithms=["HS256"], options={"require": ["exp"]}, leeway=5),
            cyjwt.decode_complete(token, KEY, algorithms=["HS256"], audience=None, issuer=None),
            cyjwt.get_unverified_header(token),
        )

    (token, claims, required, complete, header), ran = python_calls(calls)
    assert not ran & GENERAL_PATH, sorted(ran & GENERAL_PATH)
    assert claims == required == complete["payload"] == {"sub": "x", "exp": 4102444800}
    assert header == complete["header"] == {"alg": "HS256", "typ": "JWT"}
    assert token.count(".") == 2


@pytest.mark.usefixtures("active_core")
def test_unusual_calls_fall_back() -> None:
    from collections import OrderedDict

    options: Any = OrderedDict(verify_exp=True)  # not a plain dict: the general path's
    claims, ran = python_calls(
        lambda: cyjwt.decode(TOKEN, KEY, algorithms=["HS256"], options=options)
    )
    assert claims == {"sub": "x"}
    assert "api_jws.decode_complete" in ran


def test_the_compiled_core_is_the_one_in_use_where_built() -> None:
    """With the extension built, cyjwt must not quietly run the pure twin."""
    expected = os.environ.get("CYJWT_EXPECT_IMPLEMENTATION")
    if expected is None:
        pytest.skip("CYJWT_EXPECT_IMPLEMENTATION not set")
    selected = importlib.import_module("cyjwt._core")
    if expected == "cython":
        assert _core_c is not None
        assert selected.jwt_decode is _core_c.jwt_decode
        assert selected.jwt_encode is _core_c.jwt_encode
        # The module-level functions are the core's C entries, not the methods.
        for name in ("encode", "decode", "decode_complete", "get_unverified_header"):
            entry = getattr(cyjwt, name).__func__
            assert entry is getattr(_core_c, f"_entry_{name}"), name
    else:
        assert selected.jwt_decode is _core_py.jwt_decode


def test_no_source_file_is_overlong() -> None:
    package = Path(_core_py.__file__).parent
    for path in sorted(package.iterdir()):
        if path.suffix in (".py", ".pyx", ".pxi", ".pxd", ".pyi"):
            lines = len(path.read_text().splitlines())
            assert lines <= 620, f"{path.name} has {lines} lines"


def test_wiring_is_one_typed_object() -> None:
    wiring = _fastpath.wiring()
    assert isinstance(wiring, _fastpath.CoreWiring)
    assert wiring.hash_names is _fastpath.HASH_NAMES
    assert wiring.jwt_attrs == len(vars(api_jwt.PyJWT()))
    assert isinstance(types.SimpleNamespace(**wiring._asdict()), types.SimpleNamespace)
