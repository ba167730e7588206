"""Choose the compiled core or its pure-Python twin.

``CYJWT_NO_EXTENSIONS=1`` in the environment forces the pure one; so does
an interpreter on which the extension was not built (PyPy, no compiler).
"""

from __future__ import annotations

import os

if os.environ.get("CYJWT_NO_EXTENSIONS", "") in ("", "0"):
    try:
        from ._core_c import *  # noqa: F403
        from ._core_c import IMPLEMENTATION
    except ImportError:  # pragma: no cover - depends on how it was installed
        from ._core_py import *  # noqa: F403
        from ._core_py import IMPLEMENTATION
else:
    from ._core_py import *  # noqa: F403
    from ._core_py import IMPLEMENTATION

__all__ = ["IMPLEMENTATION"]
