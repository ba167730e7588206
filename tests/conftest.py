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


#: The module-level functions a core may replace (its fast_entry).
ENTRY_NAMES = ("encode", "decode", "decode_complete", "get_unverified_header")


def _route_module_functions(module: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bind ``cyjwt.decode`` and the other module-level functions anew with
    *module*'s ``fast_entry``: they were bound once, at import, to the
    selected core's entries, which do not go through :mod:`cyjwt._core`."""
    import cyjwt
    from cyjwt import api_jws, api_jwt

    owners = ((api_jwt, api_jwt._jwt_global_obj), (api_jws, api_jws._jws_global_obj))
    for owner, global_obj in owners:
        for name in ENTRY_NAMES:
            current = getattr(owner, name, None)
            if current is None:
                continue
            entry = module.fast_entry(getattr(global_obj, name))
            if getattr(cyjwt, name, None) is current:
                monkeypatch.setattr(cyjwt, name, entry)
            monkeypatch.setattr(owner, name, entry)


@pytest.fixture(params=CORE_MODULES)
def active_core(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[types.ModuleType]:
    """Each core in turn behind ``cyjwt``'s whole API, in one pytest run.

    ``api_jwt``, ``api_jws`` and ``algorithms`` call the core through the
    attributes of :mod:`cyjwt._core`, so pointing those at one module, and
    binding the module-level functions with its ``fast_entry``, routes
    every call through it.
    """
    from cyjwt import _core, _fastpath

    module: types.ModuleType = request.param
    module.fast_setup(_fastpath.wiring())
    for name in module.__all__:
        monkeypatch.setattr(_core, name, getattr(module, name))
    _route_module_functions(module, monkeypatch)
    yield module
    monkeypatch.undo()
    _core.fast_setup(_fastpath.wiring())  # the selected core, afresh
