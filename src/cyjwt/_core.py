"""Choose the compiled core (:mod:`cyjwt._core_c`) or its pure-Python twin.

``CYJWT_NO_EXTENSIONS=1`` in the environment forces the pure one; so does
an interpreter on which the extension was not built (PyPy, no compiler).
Both modules export the same names (their ``__all__``) with the same
behaviour; this module re-exports the chosen one's, so a new core
function is added to the two cores and the stub, and nowhere else.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Optional

from . import _core_py

NO_EXTENSIONS = os.environ.get("CYJWT_NO_EXTENSIONS", "") not in ("", "0")


def _load() -> ModuleType:
    if not NO_EXTENSIONS:
        try:
            from . import _core_c

            return _core_c
        except ImportError:  # pragma: no cover - no extension on this install
            pass
    return _core_py


if TYPE_CHECKING:
    from ._core_py import *  # noqa: F403 - the names both cores export
else:
    _impl = _load()
    globals().update({name: getattr(_impl, name) for name in _core_py.__all__})

#: The OpenSSL the compiled core was built with; None for the pure twin.
OPENSSL_VERSION: Optional[str] = getattr(_load(), "OPENSSL_VERSION", None)

__all__ = [*_core_py.__all__, "NO_EXTENSIONS", "OPENSSL_VERSION"]
