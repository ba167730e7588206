"""The verified-token cache of :class:`cyjwt.JWTVerifier`.

A bounded map from the exact token (``str`` or ``bytes``, never a subclass)
to what its verification established.  Most tokens are never seen again,
so a first-seen token costs as little as possible: one dictionary lookup
(the miss) and, once verified, one dictionary write whose value is the key
object that verified it, nothing else (its ``exp`` is known to be absent
or an integer; the verifier stores such tokens itself, inline, and other
stores go through :meth:`TokenCache.remember`).  On its first repeat the
entry becomes a :class:`CachedToken`, decoded once from the token's own
segments (the header's ``kid``, the header and payload, ``exp``, the
signature).  An entry is therefore one of:

* any other object: the key a first-seen token verified with;
* a :class:`PendingToken`: the same with its ``exp`` deadline, made by
  :meth:`TokenCache.get` for callers that inspect the cache (tests);
* a :class:`CachedToken`: complete, or ``refused`` (always verify in full).

**Bound and eviction.** At most *maxsize* entries, in a plain dictionary,
which keeps them in insertion order.  When a store goes over the bound,
the oldest entries are looked at, a small batch at a time: a complete one
used since it was last looked at moves to the back with its flag cleared
(a "second chance", the CLOCK approximation of LRU), any other is dropped.
Tokens in use stay, tokens seen once leave in the order they came, a hit
costs no bookkeeping beyond setting one flag, and most stores evict
nothing.

**Threads.** Every single operation on the dictionary (and the copy of its
oldest keys, a C loop) is atomic under the GIL, and keys are exact
``str``/``bytes`` (no Python-level ``__eq__``/``__hash__`` runs inside
them), so on GIL builds no lock is taken.  Races between threads can only
drop an entry early or store one that a later call replaces; every entry
was verified with the key it holds, and every hit checks the key, ``exp``
and the claims again, so no race can serve a token that would not verify.
On free-threaded builds the writes take a lock (lookups stay single
dictionary reads, which are thread-safe there too).

What a hit is worth, and the checks that still run on it, are the
verifier's business (see :mod:`cyjwt.verifier` and docs/gateway.md).
"""

from __future__ import annotations

import sysconfig
import threading
from itertools import islice
from typing import Any, Callable, Union

from . import _core

__all__ = [
    "FREE_THREADED",
    "MAX_CACHED_TOKEN_LENGTH",
    "CachedToken",
    "PendingToken",
    "TokenCache",
    "complete_entry",
    "expiry",
    "fresh_payload",
    "payload_copies",
]

Token = Union[str, bytes]

#: Whether this interpreter is a free-threaded build (the cache then locks
#: its writes).
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

#: Tokens longer than this are verified every time, never cached, so the
#: cache's memory stays bounded by about ``maxsize * 2 * 8 KiB``.
MAX_CACHED_TOKEN_LENGTH = 8192

_INF = float("inf")


def expiry(payload: dict[str, Any]) -> float | None:
    """``int(exp)`` as PyJWT reads it, ``inf`` without ``exp``; ``None``
    when PyJWT cannot read it as an integer (such tokens are not cached)."""
    if "exp" not in payload:
        return _INF
    exp = payload["exp"]
    if type(exp) is int:
        return exp
    try:
        return int(exp)
    except (TypeError, ValueError, OverflowError):
        return None


def token_payload(token: Token) -> bytes:
    """The payload JSON of a token that verified (so it decodes)."""
    raw = token.encode("utf-8") if isinstance(token, str) else token
    return _core.b64url_decode_segment(raw.split(b".")[1], "payload")


class PendingToken:
    """A token verified once and not seen again yet: the key object that
    verified its signature (compared by identity) and ``int(exp)``
    (``inf`` without ``exp``)."""

    __slots__ = ("expires", "key")

    #: Pending entries are neither refused nor used.
    refused = False
    used = False

    def __init__(self, key: Any, expires: float) -> None:
        self.key = key
        self.expires = expires


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
        payload: dict[str, Any] | None = None,
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
        self.header_json = header_json
        self.payload_json = payload_json
        #: *payload* (parsed from ``payload_json``, never handed out) when
        #: :func:`payload_copies` can copy it, with the names of its members
        #: to copy; else ``None``, and every hit parses ``payload_json``.
        copies = None if payload is None else payload_copies(payload)
        self.payload = None if copies is None else payload
        self.copies: tuple[str, ...] = copies or ()
        self.signature = signature
        #: Set when the token must always be verified in full.
        self.refused = refused
        #: Set by every hit, cleared by the eviction's second chance.
        self.used = True


class TokenCache:
    """At most *maxsize* entries, oldest unused first out (see the module)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("a TokenCache holds at least one entry")
        self.maxsize = maxsize
        #: How many entries one eviction looks at (see _evict).
        self.batch = max(1, maxsize // 32)
        # In insertion order (a dict keeps it): the oldest come first.
        # Values: see the module (a key, a PendingToken, a CachedToken).
        self._entries: dict[Token, Any] = {}
        self._lock: threading.Lock | None = threading.Lock() if FREE_THREADED else None

    def get(self, token: Token) -> PendingToken | CachedToken | None:
        """*token*'s entry, for callers that inspect the cache: a first-seen
        token's entry becomes a :class:`PendingToken` in its place.  The
        verifier reads ``_entries`` itself."""
        entry = self._entries.get(token)
        if entry is None or type(entry) is CachedToken or type(entry) is PendingToken:
            return entry
        expires = expiry(_core.json_loads(token_payload(token)))
        assert expires is not None  # it was stored, so it has one
        pending = PendingToken(entry, expires)
        self.replace(token, entry, pending)
        return pending

    def remember(self, token: Token, key: Any, payload: dict[str, Any]) -> None:
        """Store a token that just verified with *key*, its claims being
        *payload*.  Tokens over :data:`MAX_CACHED_TOKEN_LENGTH` and tokens
        whose ``exp`` PyJWT cannot read as an integer are not stored."""
        if len(token) > MAX_CACHED_TOKEN_LENGTH or expiry(payload) is None:
            return
        self.put(token, key)

    def put(self, token: Token, entry: Any) -> None:
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

    def replace(self, token: Token, old: Any, new: Any) -> None:
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
        entries, :attr:`batch` at a time (so most stores evict nothing): a
        complete entry used since it was last looked at has its flag
        cleared and moves to the back (its second chance), any other is
        dropped.  Each pass drops an entry or clears a flag, so this ends."""
        entries = self._entries
        while len(entries) > self.maxsize:
            # Copied out first (a C loop: no other thread runs meanwhile on
            # GIL builds): the dictionary changes below.
            for token in list(islice(entries, self.batch)):
                entry = entries.pop(token, None)
                if type(entry) is CachedToken and entry.used:
                    entry.used = False
                    entries[token] = entry  # to the back

    def discard(self, token: Token, entry: Any) -> None:
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


def payload_copies(payload: dict[str, Any]) -> tuple[str, ...] | None:
    """The names of *payload*'s members that are lists, when every member
    is a string, number, boolean, ``null`` or a list of those; ``None`` for
    any other payload (nested objects, lists of lists).

    A fresh payload is then *payload*'s shallow copy with those lists
    copied (:func:`fresh_payload`): equal to parsing the JSON again, sharing
    only immutable values with earlier results, and several times cheaper.
    """
    names: list[str] = []
    for name, value in payload.items():
        kind = type(value)
        if kind is dict:
            return None
        if kind is list:
            for item in value:
                if type(item) is list or type(item) is dict:
                    return None
            names.append(name)
    return tuple(names)


def fresh_payload(entry: CachedToken) -> dict[str, Any]:
    """A new payload for a complete entry, sharing no mutable object with
    any other result (see :func:`payload_copies`)."""
    template = entry.payload
    if template is None:
        payload: dict[str, Any] = _core.json_loads(entry.payload_json)
        return payload
    payload = template.copy()
    for name in entry.copies:
        payload[name] = payload[name].copy()
    return payload


def complete_entry(
    token: Token, key: Any, hmac_ok: bool, key_cacheable: Callable[[Any, Any], bool]
) -> CachedToken:
    """The complete entry for a token's first repeat, from its own segments
    (they verified, so they decode): or a refused one, for an HS* token when
    not *hmac_ok*, or a key that ``key_cacheable(alg, key)`` refuses (the
    entry then stays, so the token is not stored again on every call)."""
    try:
        raw = token.encode("utf-8") if isinstance(token, str) else token
        head, body, signature = raw.split(b".")
        header_json = _core.b64url_decode_segment(head, "header")
        header = _core.json_loads(header_json)
        alg = header.get("alg")
        payload_json = _core.b64url_decode_segment(body, "payload")
        payload = _core.json_loads(payload_json)
        expires = expiry(payload)
    except Exception:  # pragma: no cover - it verified, so it decodes
        expires = None
    if expires is None:  # pragma: no cover - it was stored, so it has one
        return CachedToken(key, _INF, refused=True)
    if (not hmac_ok and isinstance(alg, str) and alg.startswith("HS")) or (
        not key_cacheable(alg, key)
    ):
        return CachedToken(key, expires, refused=True)
    return CachedToken(
        key,
        expires,
        kid=header.get("kid"),
        has_kid="kid" in header,
        header_json=header_json,
        payload_json=payload_json,
        payload=payload,
        signature=_core.b64url_decode_segment(signature, "crypto"),
    )


def _fresh_json(data: bytes | None) -> Any:
    """A new object tree from cached JSON bytes: exactly what the full
    decode returned for them, sharing nothing with earlier results."""
    assert data is not None  # entries are complete before they are used
    return _core.json_loads(data)
