"""A prebound token verifier for gateways: :class:`JWTVerifier`.

The policy (algorithms, audience, issuer, subject, leeway, options) is fixed
and checked once, at construction; keys come from one key, a JWK Set, a
``{kid: key}`` mapping, a :class:`~cyjwt.PyJWKClient`, an
:class:`~cyjwt.AsyncPyJWKClient` or a callable.  Every decode gives exactly
what :func:`cyjwt.decode` gives for the same token with the key resolved for
it, and the verified-token cache skips the signature work for a token seen
before (docs/gateway.md explains why that is safe).

Two seams are kept small on purpose: :meth:`JWTVerifier._decode_with_key`
makes every actual decode and :meth:`JWTVerifier._check_claims` makes the
claim checks of a cache hit.  Both hand the core a ClaimPolicy built once
(``_core.claim_policy``) and fall back to the general path when the core
declines, exactly as :func:`cyjwt.decode` does.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Container, Iterable, Mapping
from datetime import timedelta
from typing import Any, Callable

from . import _core, api_jws
from ._key_sources import (
    KeyLengthCheck,
    KeySource,
    _async_only_error,
    _make_source,
    _SingleKey,
    jwk_key_object,
)
from ._token_cache import (
    MAX_CACHED_TOKEN_LENGTH,
    CachedToken,
    PendingToken,
    TokenCache,
    _fresh_json,
    complete_entry,
    fresh_payload,
)
from .api_jwk import PyJWK
from .api_jwt import _jwt_global_obj
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
)

__all__ = ["DEFAULT_CACHE_SIZE", "MAX_CACHED_TOKEN_LENGTH", "JWTVerifier"]

#: Default number of verified tokens remembered (see :class:`JWTVerifier`).
DEFAULT_CACHE_SIZE = 1024
#: At most this many header segments are remembered per verifier (see
#: JWTVerifier._header); a full table is emptied.
_MAX_HEADERS = 64

#: Whether HS* tokens go into the cache.  Measured (docs/gateway.md), a hit
#: (a dictionary read, the payload copied from a kept template, the claims
#: checked by the core) costs about half a compiled HS256 decode, and a
#: first-seen token pays about a third of a decode more to be remembered:
#: caching pays once about 40% of the tokens are repeats, as at a gateway,
#: whose sessions send the same token on every request.  On the
#: pure-Python core it pays far more.  ``cache_size=0`` turns it off.
CACHE_HMAC = True

# The object behind cyjwt.decode: its _merge_options and _validate_claims
# (unchanged PyJWT code), and its decode methods.
_CLAIMS = _jwt_global_obj

# Errors that, with several candidate keys for a token without ``kid``,
# mean "not this key": the next candidate is tried.
_TRY_NEXT = (InvalidSignatureError, InvalidKeyError, InvalidAlgorithmError)


# No decode has run yet in a bound call (a key may be any object, None too).
_NOT_DECODED: Any = object()


class JWTVerifier:
    """Verify tokens against one fixed policy and a source of keys.

    :param keys: one key as :func:`cyjwt.decode` takes it (``str``,
        ``bytes``, a key object, a :class:`~cyjwt.PyJWK`); a
        :class:`~cyjwt.PyJWKSet`; a mapping ``{kid: key}`` (read on every
        call, so it may be updated); a :class:`~cyjwt.PyJWKClient`; an
        :class:`~cyjwt.AsyncPyJWKClient`; or a callable ``(header) -> key``
        (which may return an awaitable for :meth:`decode_async`).
    :param algorithms: the accepted ``alg`` values, as for
        :func:`cyjwt.decode`.
    :param audience, issuer, subject, leeway, options: as for
        :func:`cyjwt.decode`.  ``options`` must leave ``verify_signature``
        on: a verifier that does not verify is refused.
    :param cache_size: how many verified tokens to remember (the oldest
        unused go first);
        ``0`` turns the cache off.  The default, 1024, covers the active
        sessions of a busy gateway process while bounding memory to a few
        MiB (tokens over 8 KiB are never cached).  A hit still resolves the
        key (it must be the same key object) and checks every claim; HS*
        tokens are cached too (:data:`CACHE_HMAC`).
        See docs/gateway.md for what a hit skips and why that is safe.

    With a set, a mapping or a client, a token with ``kid`` is verified with
    that key only (an unknown ``kid`` fails as :class:`~cyjwt.PyJWKClient`
    fails, after the client's one refresh within its cooldown); a token
    without ``kid`` is tried against the keys whose algorithm (or, for key
    objects, family) fits its ``alg``, in order: the first that verifies
    wins, the first error is raised if none does.

    :raises DecodeError: ``algorithms`` is empty (as :func:`cyjwt.decode`
        would raise on every call).
    :raises TypeError: ``audience`` is not a string or iterable (likewise).
    :raises ValueError: ``options`` turn signature verification off, or
        ``cache_size`` is negative.
    """

    def __init__(
        self,
        keys: KeySource,
        *,
        algorithms: Iterable[str] | None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        options: Mapping[str, Any] | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self._source = _make_source(keys)
        # The arguments of every decode, prepared once (see _decode_with_key).
        self._options: dict[str, Any] | None = None if options is None else dict(options)
        merged = _CLAIMS._merge_options(self._options)  # type: ignore[arg-type]
        if not merged["verify_signature"]:
            raise ValueError(
                "JWTVerifier always verifies signatures: options must not turn verify_signature off"
            )
        self._merged_options = merged
        if algorithms is None or isinstance(algorithms, str):
            self._algorithms: Any = algorithms  # as cyjwt.decode reads it
        else:
            self._algorithms = list(algorithms)
        if not self._algorithms and not (
            isinstance(self._source, _SingleKey) and isinstance(keys, PyJWK)
        ):
            raise DecodeError(
                'It is required that you pass in a value for the "algorithms" '
                "argument when calling decode()."
            )
        if audience is not None and not isinstance(audience, (str, Iterable)):
            raise TypeError("audience must be a string, iterable or None")
        self._audience = audience
        self._issuer = issuer
        self._subject = subject
        self._leeway = leeway
        if isinstance(cache_size, bool) or not isinstance(cache_size, int):
            raise TypeError("cache_size must be an int")
        if cache_size < 0:
            raise ValueError("cache_size must be 0 (no cache) or more")
        self._cache: TokenCache | None = TokenCache(cache_size) if cache_size else None
        self._cache_hmac = CACHE_HMAC
        # Nothing to look up when every allowed algorithm is HS* and those
        # are not cached.
        self._lookup = self._cache is not None and (
            CACHE_HMAC
            or not self._algorithms
            or isinstance(self._algorithms, str)
            or any(not alg.startswith("HS") for alg in self._algorithms)
        )
        # Keys below the recommended length warn on every decode, so their
        # tokens are not cached.
        self._key_lengths = KeyLengthCheck()
        # Header segment -> (kid, alg) of the header get_unverified_header
        # gave for it, for sources that look a kid up without side effects
        # (see _resolve).
        self._headers: dict[Any, tuple[str, Any]] | None = (
            {} if self._source.pure_kid_lookup else None
        )
        # The claim arguments, read once by the core (None: arguments the
        # core leaves to the general path, which then runs every time).
        # The three come from the same core, whichever is in use now.
        self._policy: Any = None
        if type(self._algorithms) is list and self._algorithms:
            self._policy = _core.claim_policy(merged, audience, issuer, subject, leeway)
        self._core_decode = _core.jwt_decode_policy
        self._core_check = _core.check_claims
        if (
            type(self) is JWTVerifier  # a subclass's own methods must run
            and self._policy is not None
            and not self._source.is_async
        ):
            # decode() and decode_complete() bound once, as instance
            # attributes in front of the methods (same behaviour, fewer
            # frames): see _bind.
            self._bind()

    def _bind(self) -> None:
        """Bind :meth:`decode` and :meth:`decode_complete` for this
        verifier's source, cache and policy.

        With one key and nothing to remember (the cache off, or only HS*
        algorithms with :data:`CACHE_HMAC` off), ``decode`` is the core's
        call itself, everything but the token bound
        (a :func:`functools.partial`).  Otherwise it is a closure that does
        what :meth:`_run` does, with the common steps inline: the cache
        lookup (one dictionary read), a hit (the claims checked by the
        core), the decode and the store of a first-seen token.
        """
        if not self._lookup and isinstance(self._source, _SingleKey):
            key = self._source.key
            bound = (_jwt_global_obj, key, self._algorithms, self._policy)
            self.decode = functools.partial(  # type: ignore[method-assign]
                self._core_decode, *bound, False, self._general_decode
            )
            self.decode_complete = functools.partial(  # type: ignore[method-assign]
                self._core_decode, *bound, True, self._general_decode
            )
            return
        self.decode = self._bound_run(False)  # type: ignore[method-assign, assignment]
        self.decode_complete = self._bound_run(True)  # type: ignore[method-assign, assignment]

    def _bound_run(self, complete: bool) -> Callable[[Any], dict[str, Any]]:
        """:meth:`_run` for one value of *complete*, as a closure over what
        it reads (see :meth:`_bind`)."""
        source = self._source
        cache = self._cache if self._lookup else None
        # Entries are read as Any here: the closure tells the kinds apart
        # by type (see _token_cache).
        entries: dict[Any, Any] = {} if cache is None else cache._entries
        entries_get = None if cache is None else entries.get
        remember = None if cache is None else cache.remember
        discard = None if cache is None else cache.discard
        evict = None if cache is None else cache._evict
        maxsize = 0 if cache is None else cache.maxsize
        # A first-seen token is stored inline (TokenCache.remember's work)
        # when there is no lock to take.
        inline_store = cache is not None and cache._lock is None
        single = isinstance(source, _SingleKey)
        single_key = source.key if isinstance(source, _SingleKey) else None
        current = source.current
        core_decode = self._core_decode
        core_check = self._core_check
        policy = self._policy
        algorithms = self._algorithms
        jwt_obj = _jwt_global_obj
        general = self._general_decode
        json_loads = _core.json_loads
        complete_entry = self._complete_entry
        general_claims = self._general_claims
        resolve = self._resolve
        decode_keys = self._decode_keys
        decode_with_key = self._decode_with_key
        headers_get = None if self._headers is None else self._headers.get
        kid_lookup = source.kid_lookup

        def run(token: Any) -> dict[str, Any]:
            store = False
            cls = type(token)
            if entries_get is not None and (cls is str or cls is bytes):
                entry: Any = entries_get(token)
                if entry is not None and type(entry) is not CachedToken:
                    entry = complete_entry(token, entry)  # its first repeat
                if entry is None:
                    store = True
                elif time.time() >= entry.expires:
                    discard(token, entry)  # type: ignore[misc]  # set with entries_get
                    store = True
                elif not entry.refused:
                    key_current = entry.key is single_key if single else current(entry)
                    if key_current:
                        entry.used = True
                        # fresh_payload(entry), inline.
                        template = entry.payload
                        if template is None:
                            payload: dict[str, Any] = json_loads(entry.payload_json)
                        else:
                            payload = template.copy()
                            for name in entry.copies:
                                payload[name] = payload[name].copy()
                        if not core_check(jwt_obj, policy, payload):
                            general_claims(payload)
                        if complete:
                            return {
                                "payload": payload,
                                "header": json_loads(entry.header_json),
                                "signature": entry.signature,
                            }
                        return payload
                    if key_current is False:
                        discard(token, entry)  # type: ignore[misc]  # set with entries_get
                    store = True
            verified_by: Any = _NOT_DECODED  # the key a decode below verified with
            if single:
                decoded: dict[str, Any] = core_decode(
                    jwt_obj, single_key, algorithms, policy, complete, general, token
                )
                verified_by = single_key
            elif headers_get is not None and (cls is str or cls is bytes):
                # _resolve's remembered header segments, inline.
                end = token.find("." if cls is str else b".")
                known = headers_get(token[:end]) if end > 0 else None
                key = None if known is None else kid_lookup(known[0])
                if key is not None:
                    alg = known[1]  # type: ignore[index]  # key is None without known
                    # _decode_with_key(token, key, complete, alg), inline.
                    bare = (
                        None
                        if type(key) is not PyJWK
                        else jwk_key_object(key, alg, jwt_obj._jws._algorithms)
                    )
                    if bare is None:
                        decoded = decode_with_key(token, key, complete, alg)
                    else:
                        jwk = key

                        def with_jwk(token: Any, bare: Any, complete: bool) -> dict[str, Any]:
                            return general(token, jwk, complete)

                        decoded = core_decode(
                            jwt_obj, bare, algorithms, policy, complete, with_jwk, token
                        )
                    verified_by = key
            if verified_by is not _NOT_DECODED:
                if store:
                    # TokenCache.remember, inline for a token whose exp is
                    # absent or an int: the entry is the key itself.
                    payload = decoded["payload"] if complete else decoded
                    if (
                        inline_store
                        and type(payload.get("exp", 0)) is int
                        and len(token) <= MAX_CACHED_TOKEN_LENGTH
                    ):
                        entries[token] = verified_by
                        if len(entries) > maxsize:
                            evict()  # type: ignore[misc]  # as discard
                    else:
                        remember(token, verified_by, payload)  # type: ignore[misc]  # as discard
                return decoded
            alg, keys = resolve(token)
            result: dict[str, Any] = decode_keys(token, keys, complete, store, alg)
            return result

        return run

    # -- the two seams -----------------------------------------------------

    def _decode_with_key(
        self, token: str | bytes, key: Any, complete: bool, alg: Any = None
    ) -> dict[str, Any]:
        """The one place a token is decoded: :func:`cyjwt.decode_complete`
        (or :func:`cyjwt.decode`) with the verifier's policy and *key*.

        *alg* is the token header's ``alg`` when the caller has read the
        header: a :class:`PyJWK` bound to that algorithm is then handed to
        the core as its key object (:func:`_key_sources.jwk_key_object`),
        which the core verifies itself; the general path, if the core
        declines, still gets the PyJWK.
        """
        if self._policy is not None:
            fallback: Callable[[Any, Any, bool], dict[str, Any]] = self._general_decode
            core_key = key
            if alg is not None and type(key) is PyJWK:
                bare = jwk_key_object(key, alg, _jwt_global_obj._jws._algorithms)
                if bare is not None:
                    core_key = bare

                    def with_jwk(token: Any, bare: Any, complete: bool) -> dict[str, Any]:
                        return self._general_decode(token, key, complete)

                    fallback = with_jwk

            decoded: dict[str, Any] = self._core_decode(
                _jwt_global_obj,
                core_key,
                self._algorithms,
                self._policy,
                complete,
                fallback,
                token,
            )
            return decoded
        return self._general_decode(token, key, complete)

    def _general_decode(self, token: str | bytes, key: Any, complete: bool) -> dict[str, Any]:
        """The general path, for what the core declines (and without a policy)."""
        decode = _jwt_global_obj.decode_complete if complete else _jwt_global_obj.decode
        return decode(
            token,
            key,
            algorithms=self._algorithms,
            options=self._options,  # type: ignore[arg-type]
            audience=self._audience,
            issuer=self._issuer,
            subject=self._subject,
            leeway=self._leeway,
        )

    def _check_claims(self, payload: dict[str, Any]) -> None:
        """The one place a cached token's claims are checked: exactly the
        checks (and errors) of a full decode, against the current time."""
        if self._policy is not None and self._core_check(_CLAIMS, self._policy, payload):
            return
        self._general_claims(payload)

    def _general_claims(self, payload: dict[str, Any]) -> None:
        """PyJWT's own claim checks, for what the core declines."""
        _CLAIMS._validate_claims(
            payload,
            self._merged_options,
            audience=self._audience,
            issuer=self._issuer,
            subject=self._subject,
            leeway=self._leeway,
        )

    # -- public API --------------------------------------------------------

    def decode(self, token: str | bytes) -> dict[str, Any]:
        """The verified claims of *token*, as :func:`cyjwt.decode` gives them."""
        result: dict[str, Any] = self._run(token, False)
        return result

    def decode_complete(self, token: str | bytes) -> dict[str, Any]:
        """``{"payload", "header", "signature"}``, as :func:`cyjwt.decode_complete`."""
        result: dict[str, Any] = self._run(token, True)
        return result

    async def decode_async(self, token: str | bytes) -> dict[str, Any]:
        """:meth:`decode`, resolving keys without blocking the event loop."""
        result: dict[str, Any] = await self._run_async(token, False)
        return result

    async def decode_complete_async(self, token: str | bytes) -> dict[str, Any]:
        """:meth:`decode_complete`, resolving keys without blocking the loop."""
        result: dict[str, Any] = await self._run_async(token, True)
        return result

    def clear_cache(self) -> None:
        """Forget every verified token."""
        if self._cache is not None:
            self._cache.clear()

    # -- internals ---------------------------------------------------------

    def _cached(self, token: Any) -> CachedToken | None:
        """*token*'s live entry (complete, or refused), or ``None``."""
        cache = self._cache
        if cache is None or type(token) not in (str, bytes):
            return None
        entry = cache._entries.get(token)
        if entry is None:
            return None
        if type(entry) is not CachedToken:
            entry = self._complete_entry(token, entry)  # its first repeat
        if time.time() >= entry.expires:
            cache.discard(token, entry)
            return None
        return entry

    def _hit(self, token: Any, entry: CachedToken, current: bool | None, complete: bool) -> Any:
        """The answer from a cache entry whose key is still current, or
        ``None`` (then the token is decoded in full)."""
        if not current:
            if current is False and self._cache is not None:
                self._cache.discard(token, entry)
            return None
        entry.used = True
        payload = fresh_payload(entry)
        self._check_claims(payload)
        if complete:
            return {
                "payload": payload,
                "header": _fresh_json(entry.header_json),
                "signature": entry.signature,
            }
        return payload

    def _run(self, token: Any, complete: bool) -> Any:
        source = self._source
        if source.is_async:
            raise _async_only_error()
        remember = False
        if self._lookup:
            entry = self._cached(token)
            if entry is None:
                remember = True
            elif not entry.refused:
                result = self._hit(token, entry, source.current(entry), complete)
                if result is not None:
                    return result
                remember = True
        if isinstance(source, _SingleKey):
            # Nothing to resolve: the decode itself.
            decoded = self._decode_with_key(token, source.key, complete)
            if remember:
                self._remember(token, source.key, decoded["payload"] if complete else decoded)
            return decoded
        alg, keys = self._resolve(token)
        return self._decode_keys(token, keys, complete, remember, alg)

    def _resolve(self, token: Any) -> tuple[Any, list[Any]]:
        """The ``alg`` of the token's header (``None`` when the source needs
        no header) and the keys to try for it, resolved synchronously.

        The header is read before any key is resolved, so that a malformed
        token fails as :func:`cyjwt.get_unverified_header` makes it fail,
        before the source is consulted.  With a source that looks a ``kid``
        up without side effects or errors (a JWK Set, a client's fresh
        set), a header segment read before is not read again: its header
        is remembered, and when its ``kid`` is found, reading the rest of
        the token is left to the decode, which reads it first and raises
        the same errors in the same order.
        """
        source = self._source
        if not source.needs_header:
            return None, source.resolve({}, self._algorithms)
        headers = self._headers
        segment: Any = None
        if headers is not None:
            cls = type(token)
            if cls is str or cls is bytes:
                end = token.find("." if cls is str else b".")
                if end > 0:
                    segment = token[:end]
                    known = headers.get(segment)
                    if known is not None:
                        key = source.kid_lookup(known[0])
                        if key is not None:
                            return known[1], [key]
        header = api_jws.get_unverified_header(token)
        kid = header.get("kid")
        if segment is not None and type(kid) is str:
            if len(headers) >= _MAX_HEADERS:  # type: ignore[arg-type]
                headers.clear()  # type: ignore[union-attr]
            headers[segment] = (kid, header.get("alg"))  # type: ignore[index]
        return header.get("alg"), source.resolve(header, self._algorithms)

    async def _run_async(self, token: Any, complete: bool) -> Any:
        source = self._source
        remember = False
        if self._lookup:
            entry = self._cached(token)
            if entry is None:
                remember = True
            elif not entry.refused:
                result = self._hit(token, entry, await source.current_async(entry), complete)
                if result is not None:
                    return result
                remember = True
        if source.needs_header:
            header = api_jws.get_unverified_header(token)
            keys = await source.resolve_async(header, self._algorithms)
            return self._decode_keys(token, keys, complete, remember, header.get("alg"))
        keys = source.resolve({}, self._algorithms)
        return self._decode_keys(token, keys, complete, remember)

    def _decode_keys(
        self, token: Any, keys: list[Any], complete: bool, remember: bool, alg: Any = None
    ) -> Any:
        """Decode with the first of *keys* that verifies (*alg*: the
        header's, when it was read; see :meth:`_decode_with_key`)."""
        if len(keys) == 1:
            key = keys[0]
            decoded = self._decode_with_key(token, key, complete, alg)
        else:
            first_error: Exception | None = None
            for key in keys:
                try:
                    decoded = self._decode_with_key(token, key, complete, alg)
                except _TRY_NEXT as err:
                    if first_error is None:
                        first_error = err
                    continue
                break
            else:
                assert first_error is not None
                raise first_error
        if remember:
            self._remember(token, key, decoded["payload"] if complete else decoded)
        return decoded

    def _remember(self, token: Any, key: Any, payload: dict[str, Any]) -> None:
        """Cache a token that just verified with *key*.

        Only what is at hand is stored now (the key, the ``exp`` deadline):
        most tokens are never seen again, so decoding the segments for the
        entry waits for the first repeat (:meth:`_complete_entry`).
        """
        assert self._cache is not None
        if type(token) is str or type(token) is bytes:
            self._cache.remember(token, key, payload)

    def _complete_entry(self, token: str | bytes, pending: Any) -> CachedToken:
        """The entry for a token's first repeat (:func:`complete_entry`),
        in the place of *pending* (its key, or a PendingToken); refused for
        HS* tokens where those are not cached."""
        key = pending.key if type(pending) is PendingToken else pending
        entry = complete_entry(token, key, self._cache_hmac, self._key_lengths)
        if self._cache is not None:
            self._cache.replace(token, pending, entry)
        return entry
