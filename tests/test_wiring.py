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
from typing import Any, Callable

import pytest

import cyjwt
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


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Record what the active core's *name* returns for each call."""
    results: list[Any] = []
    real: Callable[..., Any] = getattr(_core, name)

    def spy(*args: Any) -> Any:
        out = real(*args)
        results.append(out)
        return out

    monkeypatch.setattr(_core, name, spy)
    return results


@pytest.mark.usefixtures("active_core")
def test_plain_calls_take_the_one_call_path(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = _spy(monkeypatch, "jwt_decode")
    encoded = _spy(monkeypatch, "jwt_encode")
    header = _spy(monkeypatch, "jws_header")
    token = cyjwt.encode({"sub": "x", "exp": 4102444800}, KEY, algorithm="HS256")
    assert cyjwt.decode(token, KEY, algorithms=["HS256"]) == {"sub": "x", "exp": 4102444800}
    cyjwt.decode(token, KEY, algorithms=["HS256"], options={"require": ["exp"]}, leeway=5)
    cyjwt.decode_complete(token, KEY, algorithms=["HS256"], audience=None, issuer=None)
    cyjwt.get_unverified_header(token)
    assert encoded == [token]
    assert len(decoded) == 3 and all(result is not None for result in decoded)
    assert header == [{"alg": "HS256", "typ": "JWT"}]


@pytest.mark.usefixtures("active_core")
def test_unusual_calls_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict

    decoded = _spy(monkeypatch, "jwt_decode")
    options: Any = OrderedDict(verify_exp=True)  # not a plain dict: the general path's
    assert cyjwt.decode(TOKEN, KEY, algorithms=["HS256"], options=options) == {"sub": "x"}
    assert decoded == [None, None]  # decode, then decode_complete, both decline


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
