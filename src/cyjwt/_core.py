"""Choose the compiled core (:mod:`cyjwt._core_c`) or its pure-Python twin.

``CYJWT_NO_EXTENSIONS=1`` in the environment forces the pure one; so does
an interpreter on which the extension was not built (PyPy, no compiler).
Both modules export the same names with the same behaviour.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Optional

NO_EXTENSIONS = os.environ.get("CYJWT_NO_EXTENSIONS", "") not in ("", "0")


def _load() -> ModuleType:
    if not NO_EXTENSIONS:
        try:
            from . import _core_c

            return _core_c
        except ImportError:  # pragma: no cover - no extension on this install
            pass
    from . import _core_py

    return _core_py


if TYPE_CHECKING:
    from . import _core_py as _impl
else:
    _impl = _load()

IMPLEMENTATION: str = _impl.IMPLEMENTATION
#: The OpenSSL the compiled core was built with; None for the pure twin.
OPENSSL_VERSION: Optional[str] = getattr(_impl, "OPENSSL_VERSION", None)
b64url_decode_segment = _impl.b64url_decode_segment
b64url_encode = _impl.b64url_encode
clear_caches = _impl.clear_caches
fast_setup = _impl.fast_setup
hmac_sign = _impl.hmac_sign
hmac_verify = _impl.hmac_verify
json_dumps = _impl.json_dumps
json_loads = _impl.json_loads
jwt_decode = _impl.jwt_decode
jwt_encode = _impl.jwt_encode
jws_header = _impl.jws_header
split_token = _impl.split_token

__all__ = [
    "IMPLEMENTATION",
    "NO_EXTENSIONS",
    "OPENSSL_VERSION",
    "b64url_decode_segment",
    "b64url_encode",
    "clear_caches",
    "fast_setup",
    "hmac_sign",
    "hmac_verify",
    "json_dumps",
    "json_loads",
    "jwt_decode",
    "jwt_encode",
    "jws_header",
    "split_token",
]
