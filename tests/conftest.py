"""Shared fixtures: the two implementations of the core, side by side."""

from __future__ import annotations

import importlib
import types

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
