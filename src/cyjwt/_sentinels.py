"""Sentinels shared by the API modules and both cores.

``ALGORITHM_UNSET`` is the default of ``encode``'s *algorithm*: "not
given" (HS256) is not the same as ``None`` ("none").  It lives here, not
in :mod:`cyjwt.api_jws`, because the compiled core's ``jwt.encode``
(``_core_entry.pxi``) needs it as a default when the core is imported,
before the API modules exist.
"""

from __future__ import annotations

from typing import Any

ALGORITHM_UNSET: Any = object()
