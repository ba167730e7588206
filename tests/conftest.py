"""Shared fixtures: the two implementations of the core, side by side."""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator

import pytest

from cyjwt import _core_py

try:
    _core_c: types.ModuleType | None = importlib.import_module("cyjwt._core_c")
except ImportError:  # pure-Python install
    _core_c = None

CORE_MODULES = [pytest.param(_core_py, id="python")]
CORE_MODULES.append(
    pytest.param(
        _core_c,
        id="cython",
        marks=pytest.mark.skipif(_core_c is None, reason="compiled core not built"),
    )
)


@pytest.fixture(scope="session", params=CORE_MODULES)
def core(request: pytest.FixtureRequest) -> types.ModuleType:
    """Each core implementation in turn, as propcache and multidict do."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=CORE_MODULES)
def active_core(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[types.ModuleType]:
    """Each core in turn behind ``cyjwt``'s whole API, in one pytest run.

    ``api_jwt``, ``api_jws`` and ``algorithms`` call the core through the
    attributes of :mod:`cyjwt._core`, so pointing those at one module
    routes every call through it.
    """
    from cyjwt import _core, _fastpath

    module: types.ModuleType = request.param
    module.fast_setup(_fastpath.wiring())
    for name in module.__all__:
        monkeypatch.setattr(_core, name, getattr(module, name))
    yield module
    monkeypatch.undo()
    _core.fast_setup(_fastpath.wiring())  # the selected core, afresh
