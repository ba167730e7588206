"""The verified-token cache of :class:`cyjwt.JWTVerifier`.

A bounded map from the exact token (``str`` or ``bytes``, never a subclass)
to what its verification established.  A first-seen token costs one
dictionary lookup (the miss) and, once verified, a :class:`PendingToken`
(the key object and the ``exp`` deadline) stored with one dictionary and
one deque operation.  Most tokens are never seen again; on its first repeat
a token's entry becomes a :class:`CachedToken`, decoded once from the
token's own segments (the header's ``kid``, the header and payload JSON,
the signature).

**Bound and eviction.** At most *maxsize* entries.  The insertion order is
kept in a deque beside the dictionary; when it holds more than *maxsize*
tokens the oldest goes, unless its entry was used since it was last looked
at (a "second chance", the CLOCK approximation of LRU): tokens in use stay,
tokens seen once leave in the order they came, and a hit costs no
bookkeeping beyond setting one flag.

**Threads.** Every single operation on the dictionary or the deque is
atomic under the GIL, and keys are exact ``str``/``bytes`` (no Python-level
``__eq__``/``__hash__`` runs inside them), so on GIL builds no lock is
taken.  Races between threads can only drop an entry early or store one
that a later call replaces; every entry was verified with the key it holds,
and every hit checks the key, ``exp`` and the claims again, so no race can
serve a token that would not verify.  On free-threaded builds the writes
take a lock (lookups stay single dictionary reads, which are thread-safe
there too).

What a hit is worth, and the checks that still run on it, are the
verifier's business (see :mod:`cyjwt.verifier` and docs/gateway.md).
"""

from __future__ import annotations

import sysconfig
import threading
from collections import deque
from typing import Any, Union

from . import _core

__all__ = ["FREE_THREADED", "MAX_CACHED_TOKEN_LENGTH", "CachedToken", "PendingToken", "TokenCache"]

Token = Union[str, bytes]

#: Whether this interpreter is a free-threaded build (the cache then locks
#: its writes).
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

#: Tokens longer than this are verified every time, never cached, so the
#: cache's memory stays bounded by about ``maxsize * 2 * 8 KiB``.
MAX_CACHED_TOKEN_LENGTH = 8192

_new = object.__new__
_INF = float("inf")


class PendingToken:
    """A token verified once: the key object that verified its signature
    (compared by identity) and ``int(exp)`` (``inf`` without ``exp``).

    Made by :meth:`TokenCache.remember` without a Python-level
    ``__init__``: this is what a first-seen token pays to be remembered.
    """

    __slots__ = ("expires", "key")

    key: Any
    expires: float
    #: Pending entries are neither complete nor refused, nor used yet.
    header_json: bytes | None = None
    refused = False
    used = False


class CachedToken:
    """What one successful verification of a token established, complete:
    made on the token's first repeat (or ``refused``: the token must always
    be verified in full, and the entry stays so that it is not stored again
    on every call)."""

    __slots__ = (
        "expires",
        "has_kid",
        "header_json",
        "key",
        "kid",
        "payload_json",
        "refused",
        "signature",
        "used",
    )

    def __init__(
        self,
        key: Any,
        expires: float,
        *,
        kid: Any = None,
        has_kid: bool = False,
        header_json: bytes | None = None,
        payload_json: bytes = b"",
        signature: bytes = b"",
        refused: bool = False,
    ) -> None:
        #: The key object the signature verified with (compared by identity).
        self.key = key
        #: ``int(exp)`` (``inf`` without ``exp``): the entry is dropped once
        #: the clock reaches it.
        self.expires = expires
        self.kid = kid
        self.has_kid = has_kid
        self.payload_json = payload_json
        self.signature = signature
        self.header_json = header_json
        #: Set when the token must always be verified in full.
        self.refused = refused
        #: Set by every hit, cleared by the eviction's second chance.
        self.used = True


Entry = Union[PendingToken, CachedToken]


class TokenCache:
    """At most *maxsize* entries, oldest unused first out (see the module)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("a TokenCache holds at least one entry")
        self.maxsize = maxsize
        self._entries: dict[Token, Entry] = {}
        # Insertion order; a token may appear twice (stored again after
        # being dropped), which only makes its entry leave earlier.
        self._order: deque[Token] = deque()
        self._lock: threading.Lock | None = threading.Lock() if FREE_THREADED else None

    def get(self, token: Token) -> Entry | None:
        """The entry for *token* (for callers off the hot path: the
        verifier reads ``_entries`` itself)."""
        return self._entries.get(token)

    def remember(self, token: Token, key: Any, payload: dict[str, Any]) -> None:
        """Store a token that just verified with *key*, its claims being
        *payload*.  Tokens over :data:`MAX_CACHED_TOKEN_LENGTH` and tokens
        whose ``exp`` PyJWT cannot read as an integer are not stored."""
        if len(token) > MAX_CACHED_TOKEN_LENGTH:
            return
        if "exp" in payload:
            exp = payload["exp"]
            if type(exp) is int:
                expires: float = exp
            else:
                try:
                    expires = int(exp)
                except (TypeError, ValueError, OverflowError):
                    return
        else:
            expires = _INF
        entry: PendingToken = _new(PendingToken)
        entry.key = key
        entry.expires = expires
        if self._lock is not None:
            self.put(token, entry)
            return
        # _put, inline: this runs for every first-seen token.
        self._entries[token] = entry
        order = self._order
        order.append(token)
        if len(order) > self.maxsize:
            self._evict()

    def put(self, token: Token, entry: Entry) -> None:
        """Store *entry* for *token*, evicting beyond the bound."""
        if self._lock is not None:
            with self._lock:
                self._put(token, entry)
            return
        self._put(token, entry)

    def _put(self, token: Token, entry: Entry) -> None:
        order = self._order
        self._entries[token] = entry
        order.append(token)
        if len(order) > self.maxsize:
            self._evict()

    def replace(self, token: Token, old: Entry, new: Entry) -> None:
        """Put *new* in the place of *old* (same position in the order) if
        *old* is still *token*'s entry."""
        if self._lock is not None:
            with self._lock:
                if self._entries.get(token) is old:
                    self._entries[token] = new
            return
        if self._entries.get(token) is old:
            self._entries[token] = new

    def _evict(self) -> None:
        """Drop the oldest entries until the bound holds; one that was used
        since it was last looked at is kept, its flag cleared, and goes to
        the back (each turn drops an entry or clears a flag, so this ends)."""
        entries = self._entries
        order = self._order
        while len(order) > self.maxsize:
            try:
                oldest = order.popleft()
            except IndexError:  # pragma: no cover - emptied by another thread
                return
            entry = entries.get(oldest)
            if entry is not None and entry.used:
                entry.used = False  # only a CachedToken is ever used
                order.append(oldest)
            else:
                entries.pop(oldest, None)

    def discard(self, token: Token, entry: Entry) -> None:
        """Drop *token*'s entry if it is still *entry* (its place in the
        order is reclaimed by the eviction)."""
        if self._lock is not None:
            with self._lock:
                if self._entries.get(token) is entry:
                    del self._entries[token]
            return
        if self._entries.get(token) is entry:
            self._entries.pop(token, None)

    def clear(self) -> None:
        if self._lock is not None:
            with self._lock:
                self._entries.clear()
                self._order.clear()
            return
        self._entries.clear()
        self._order.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _fresh_json(data: bytes | None) -> Any:
    """A new object tree from cached JSON bytes: exactly what the full
    decode returned for them, sharing nothing with earlier results."""
    assert data is not None  # entries are complete before they are used
    return _core.json_loads(data)
