"""Choose the compiled core (:mod:`cyjwt._core_c`) or its pure-Python twin.

``CYJWT_NO_EXTENSIONS=1`` in the environment forces the pure one; so does
an interpreter on which the extension was not built (PyPy, no compiler).
Both modules export the same names with the same behaviour.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

NO_EXTENSIONS = os.environ.get("CYJWT_NO_EXTENSIONS", "") not in ("", "0")

if TYPE_CHECKING or NO_EXTENSIONS:
    from ._core_py import (
        IMPLEMENTATION,
        b64url_decode_segment,
        b64url_encode,
        clear_caches,
        fast_setup,
        hmac_sign,
        hmac_verify,
        json_dumps,
        json_loads,
        jwt_decode,
        jwt_encode,
        split_token,
    )

    OPENSSL_VERSION = None
else:
    try:
        from ._core_c import (
            IMPLEMENTATION,
            OPENSSL_VERSION,
            b64url_decode_segment,
            b64url_encode,
            clear_caches,
            fast_setup,
            hmac_sign,
            hmac_verify,
            json_dumps,
            json_loads,
            jwt_decode,
            jwt_encode,
            split_token,
        )
    except ImportError:  # pragma: no cover - no extension on this install
        from ._core_py import (
            IMPLEMENTATION,
            b64url_decode_segment,
            b64url_encode,
            clear_caches,
            fast_setup,
            hmac_sign,
            hmac_verify,
            json_dumps,
            json_loads,
            jwt_decode,
            jwt_encode,
            split_token,
        )

        OPENSSL_VERSION = None

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
    "split_token",
]
