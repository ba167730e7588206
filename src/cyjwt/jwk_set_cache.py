"""A time-limited, single-slot store for a parsed JWK Set.

:class:`cyjwt.PyJWKClient` keeps the key set it last downloaded here so
that it does not hit the JWKS endpoint on every lookup.  Expiry is measured
with :func:`time.monotonic` (looked up through this module's ``time``
import, so tests can patch it) against the moment the set was stored.
"""

from __future__ import annotations

import time
from typing import Any

from .api_jwk import PyJWKSet, PyJWTSetWithTimestamp
from .exceptions import PyJWKSetError

__all__ = ["JWKSetCache"]


class JWKSetCache:
    """Hold one JWK Set for ``lifespan`` seconds.

    A ``lifespan`` of ``-1`` (or anything below it) means the entry never
    expires.
    """

    def __init__(self, lifespan: float) -> None:
        self.jwk_set_with_timestamp: PyJWTSetWithTimestamp | None = None
        self.lifespan = lifespan

    def put(self, jwk_set: PyJWKSet | dict[str, Any] | None) -> None:
        """Store ``jwk_set``; passing ``None`` empties the cache instead.

        A raw JWKS mapping is parsed into a :class:`PyJWKSet` first, so a
        later :meth:`get` hands back parsed keys without further work.

        :raises PyJWKSetError: when ``jwk_set`` is neither a ``PyJWKSet``
            nor a dict, or when the dict holds no usable key.
        """
        if jwk_set is None:
            self.jwk_set_with_timestamp = None
            return

        if isinstance(jwk_set, PyJWKSet):
            parsed = jwk_set
        elif isinstance(jwk_set, dict):
            parsed = PyJWKSet.from_dict(jwk_set)
        else:
            raise PyJWKSetError("Invalid JWK Set value")

        self.jwk_set_with_timestamp = PyJWTSetWithTimestamp(parsed)

    def get(self) -> PyJWKSet | None:
        """Return the stored set, or ``None`` when empty or expired."""
        entry = self.jwk_set_with_timestamp
        if entry is None or self.is_expired():
            return None
        return entry.get_jwk_set()

    def is_expired(self) -> bool:
        """Whether a stored set has outlived ``lifespan``.

        An empty cache is never "expired", and a lifespan of ``-1`` or
        less turns expiry off.
        """
        entry = self.jwk_set_with_timestamp
        if entry is None or not self.lifespan > -1:
            return False
        return time.monotonic() > entry.get_timestamp() + self.lifespan


# Names PyJWT 2.15.1's module also has; kept for ``from jwt.jwk_set_cache import ...``.
from typing import Optional, Union  # noqa: E402, F401
