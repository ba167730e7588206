"""The verified-token cache of :class:`cyjwt.JWTVerifier`.

A bounded LRU map from the exact token (``str`` or ``bytes``, never a
subclass) to what its verification established: the key object that
verified the signature, the ``exp`` deadline and, from the first repeat on,
the header's ``kid``, the header and payload JSON bytes (decoded from the
token's own segments) and the signature.
Every operation takes one lock, so the cache can be shared by threads.

What a hit is worth, and the checks that still run on it, are the
verifier's business (see :mod:`cyjwt.verifier` and docs/gateway.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Union

from . import _core

__all__ = ["CachedToken", "TokenCache"]

Token = Union[str, bytes]


class CachedToken:
    """What one successful verification of a token established.

    Created with the key and the deadline only; the verifier fills in the
    rest from the token on its first repeat, ``header_json`` last (``None``
    until then).
    """

    __slots__ = (
        "expires",
        "has_kid",
        "header_json",
        "key",
        "kid",
        "payload_json",
        "refused",
        "signature",
    )

    def __init__(self, key: Any, expires: float) -> None:
        #: The key object the signature verified with (compared by identity).
        self.key = key
        #: ``int(exp)`` (``inf`` without ``exp``): the entry is dropped once
        #: the clock reaches it.
        self.expires = expires
        self.kid: Any = None
        self.has_kid = False
        self.payload_json = b""
        self.signature = b""
        self.header_json: bytes | None = None
        #: Set instead when the token must always be verified in full.
        self.refused = False


class TokenCache:
    """A thread-safe LRU of at most *maxsize* :class:`CachedToken` entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Token, CachedToken] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: Token) -> CachedToken | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def put(self, token: Token, entry: CachedToken) -> None:
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def discard(self, token: Token, entry: CachedToken) -> None:
        """Drop *token*'s entry if it is still *entry*."""
        with self._lock:
            if self._entries.get(token) is entry:
                del self._entries[token]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _fresh_json(data: bytes | None) -> Any:
    """A new object tree from cached JSON bytes: exactly what the full
    decode returned for them, sharing nothing with earlier results."""
    assert data is not None  # entries are complete before they are used
    return _core.json_loads(data)
