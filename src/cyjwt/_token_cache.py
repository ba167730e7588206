"""The verified-token cache of :class:`cyjwt.JWTVerifier`.

A bounded map from the exact token (``str`` or ``bytes``, never a subclass)
to what its verification established.  A first-seen token costs one
dictionary lookup (the miss) and, once verified, a :class:`PendingToken`
(the key object and the ``exp`` deadline, made without a Python-level
``__init__``) stored with one dictionary write.  Most tokens are never seen again; on its first repeat
a token's entry becomes a :class:`CachedToken`, decoded once from the
token's own segments (the header's ``kid``, the header and payload JSON,
the signature).

**Bound and eviction.** At most *maxsize* entries, in a plain dictionary,
which keeps them in insertion order.  When a store goes over the bound,
the oldest entries are looked at, a small batch at a time: one used since
it was last looked at moves to the back with its flag cleared (a "second
chance", the CLOCK approximation of LRU), any other is dropped.  Tokens in
use stay, tokens seen once leave in the order they came, a hit costs no
bookkeeping beyond setting one flag, and most stores evict nothing.

**Threads.** Every single operation on the dictionary (and the copy of its
oldest keys, a C loop) is atomic under the GIL, and keys are exact ``str``/``bytes`` (no Python-level
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
from itertools import islice
from typing import Any, Union

from . import _core

__all__ = [
    "FREE_THREADED",
    "MAX_CACHED_TOKEN_LENGTH",
    "CachedToken",
    "PendingToken",
    "TokenCache",
    "fresh_payload",
    "payload_template",
]

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
        "copies",
        "expires",
        "has_kid",
        "header_json",
        "key",
        "kid",
        "payload",
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
        #: The payload parsed once, never handed out, and the names of its
        #: members to copy (see payload_template); ``None``: parse
        #: ``payload_json`` on every hit.
        self.payload: dict[str, Any] | None = None
        self.copies: tuple[str, ...] = ()
        if payload_json:
            self.payload, self.copies = payload_template(payload_json)
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
        #: How many entries one eviction looks at (see _evict).
        self.batch = max(1, maxsize // 32)
        # In insertion order (a dict keeps it): the oldest come first.
        self._entries: dict[Token, Entry] = {}
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
        # put(), inline: this runs for every first-seen token.
        entries = self._entries
        entries[token] = entry
        if len(entries) > self.maxsize:
            self._evict()

    def put(self, token: Token, entry: Entry) -> None:
        """Store *entry* for *token*, evicting beyond the bound."""
        if self._lock is not None:
            with self._lock:
                self._entries[token] = entry
                if len(self._entries) > self.maxsize:
                    self._evict()
            return
        self._entries[token] = entry
        if len(self._entries) > self.maxsize:
            self._evict()

    def replace(self, token: Token, old: Entry, new: Entry) -> None:
        """Put *new* in the place of *old* (the same place in the order) if
        *old* is still *token*'s entry."""
        if self._lock is not None:
            with self._lock:
                if self._entries.get(token) is old:
                    self._entries[token] = new
            return
        if self._entries.get(token) is old:
            self._entries[token] = new

    def _evict(self) -> None:
        """Bring the cache back under its bound, looking at the oldest
        entries, :attr:`batch` at a time (so most stores evict nothing): an
        entry used since it was last looked at has its flag cleared and
        moves to the back (its second chance), any other is dropped.  Each
        pass drops an entry or clears a flag, so this ends."""
        entries = self._entries
        while len(entries) > self.maxsize:
            # Copied out first (a C loop: no other thread runs meanwhile on
            # GIL builds): the dictionary changes below.
            for token in list(islice(entries, self.batch)):
                entry = entries.pop(token, None)
                if entry is not None and entry.used:
                    entry.used = False  # only a CachedToken is ever used
                    entries[token] = entry  # to the back

    def discard(self, token: Token, entry: Entry) -> None:
        """Drop *token*'s entry if it is still *entry*."""
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
            return
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def payload_template(data: bytes) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """``(template, names)`` for a payload's JSON *data*: the parsed payload,
    and the names of its members that are lists, when every member is a
    string, number, boolean, ``null`` or a list of those; ``(None, ())``
    for any other payload (nested objects, lists of lists).

    A fresh payload is then the template's shallow copy with those lists
    copied (:func:`fresh_payload`): equal to parsing *data* again, sharing
    only immutable values with earlier results, and several times cheaper.
    """
    template = _core.json_loads(data)
    if type(template) is not dict:  # pragma: no cover - verified payloads are objects
        return None, ()
    names: list[str] = []
    for name, value in template.items():
        kind = type(value)
        if kind is dict:
            return None, ()
        if kind is list:
            for item in value:
                if type(item) is list or type(item) is dict:
                    return None, ()
            names.append(name)
    return template, tuple(names)


def fresh_payload(entry: CachedToken) -> dict[str, Any]:
    """A new payload for a complete entry, sharing no mutable object with
    any other result (see :func:`payload_template`)."""
    template = entry.payload
    if template is None:
        payload: dict[str, Any] = _core.json_loads(entry.payload_json)
        return payload
    payload = template.copy()
    for name in entry.copies:
        payload[name] = payload[name].copy()
    return payload


def _fresh_json(data: bytes | None) -> Any:
    """A new object tree from cached JSON bytes: exactly what the full
    decode returned for them, sharing nothing with earlier results."""
    assert data is not None  # entries are complete before they are used
    return _core.json_loads(data)
