"""A prebound token verifier for gateways: :class:`JWTVerifier`.

The policy (algorithms, audience, issuer, subject, leeway, options) is fixed
and checked once, at construction; keys come from one key, a JWK Set, a
``{kid: key}`` mapping, a :class:`~cyjwt.PyJWKClient`, an
:class:`~cyjwt.AsyncPyJWKClient` or a callable.  Every decode gives exactly
what :func:`cyjwt.decode` gives for the same token with the key resolved for
it, and the verified-token cache skips the signature work for a token seen
before (docs/gateway.md explains why that is safe).

Two seams are kept small on purpose, so the core can take them over later:
:meth:`JWTVerifier._decode_with_key` makes every actual decode and
:meth:`JWTVerifier._check_claims` makes the claim checks of a cache hit.
"""

from __future__ import annotations

import time
from collections.abc import Container, Iterable, Mapping
from datetime import timedelta
from typing import Any, Callable, Union

from . import _core, _jwks_policy, api_jws
from ._jwks_policy import SetIndex, unknown_kid_error
from ._token_cache import CachedToken, TokenCache
from .api_jwk import PyJWK, PyJWKSet
from .api_jwt import _jwt_global_obj
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    PyJWKClientError,
)
from .jwks_async import AsyncPyJWKClient
from .jwks_client import PyJWKClient

__all__ = ["DEFAULT_CACHE_SIZE", "JWTVerifier"]

#: Default number of verified tokens remembered (see :class:`JWTVerifier`).
DEFAULT_CACHE_SIZE = 1024
#: Tokens longer than this are verified every time, never cached, so the
#: cache's memory stays bounded by about ``cache_size * 2 * 8 KiB``.
MAX_CACHED_TOKEN_LENGTH = 8192

#: Whether HS* tokens go into the cache.  The compiled core verifies an
#: HMAC token (claims included) faster than a cache hit is served (its
#: claim check runs in Python), so with it they are simply decoded again;
#: the pure-Python core gains from caching them.
CACHE_HMAC = _core.IMPLEMENTATION != "cython"

# The object behind cyjwt.decode: its _merge_options and _validate_claims
# (unchanged PyJWT code), and its decode methods.
_CLAIMS = _jwt_global_obj

KeyCallable = Callable[[dict[str, Any]], Any]
KeySource = Union[Any, PyJWKSet, Mapping[str, Any], PyJWKClient, AsyncPyJWKClient, KeyCallable]

# Errors that, with several candidate keys for a token without ``kid``,
# mean "not this key": the next candidate is tried.
_TRY_NEXT = (InvalidSignatureError, InvalidKeyError, InvalidAlgorithmError)

_FAMILY_BY_PREFIX = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


def _key_family(key: Any) -> str | None:
    """``kty`` of a ``cryptography`` key object, or ``None`` when unknown."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
    except ImportError:  # pragma: no cover - no cryptography, no key objects
        return None
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return "RSA"
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        return "EC"
    if isinstance(
        key,
        (
            ed25519.Ed25519PublicKey,
            ed25519.Ed25519PrivateKey,
            ed448.Ed448PublicKey,
            ed448.Ed448PrivateKey,
        ),
    ):
        return "OKP"
    return None


def _fits(alg: str, key: Any) -> bool:
    """Whether *key* may be tried for a token signed with *alg* (no ``kid``).

    A :class:`PyJWK` is bound to one algorithm and must be a signing key; a
    key object must be of *alg*'s family; a ``str``/``bytes`` key is a
    secret for HS* unless it looks like PEM or OpenSSH text, which is for
    the other families only.
    """
    if isinstance(key, PyJWK):
        return key.algorithm_name == alg and _jwks_policy.is_signing_key(key)
    if isinstance(key, (str, bytes)):
        raw = key.encode("utf-8", "replace") if isinstance(key, str) else key
        text_key = b"-----BEGIN" in raw or raw.lstrip().startswith((b"ssh-", b"ecdsa-sha2-"))
        return text_key != alg.startswith("HS")
    family = _key_family(key)
    return family is None or _FAMILY_BY_PREFIX.get(alg[:2]) == family


def _is_awaitable(value: Any) -> bool:
    """A coroutine, future or anything else with ``__await__`` (keys never
    have one); cheaper than :func:`inspect.isawaitable` to import."""
    return getattr(type(value), "__await__", None) is not None


def _close_awaitable(value: Any) -> None:
    close = getattr(value, "close", None)
    if callable(close):
        close()


def _async_only_error() -> TypeError:
    return TypeError(
        "this JWTVerifier's keys come from an async source; "
        "use `await verifier.decode_async(token)` (or decode_complete_async)"
    )


# --------------------------------------------------------------------------
# Key sources.  ``resolve`` gives the keys to try for a header (one key when
# there is a kid); ``current`` says, without any I/O, whether a cached
# token's key is still the one the source gives (None: cannot tell now).
# --------------------------------------------------------------------------


class _Source:
    is_async = False
    needs_header = True

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        raise NotImplementedError

    async def resolve_async(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        return self.resolve(header, algorithms)

    def current(self, entry: CachedToken) -> bool | None:
        raise NotImplementedError

    async def current_async(self, entry: CachedToken) -> bool | None:
        return self.current(entry)


class _SingleKey(_Source):
    needs_header = False

    def __init__(self, key: Any) -> None:
        self.key = key

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        return [self.key]

    def current(self, entry: CachedToken) -> bool | None:
        return entry.key is self.key


def _from_index(index: SetIndex, header: dict[str, Any], algorithms: Any) -> list[Any]:
    if "kid" in header:
        kid = header["kid"]
        found = index.by_kid.get(kid)
        if found is None:
            raise unknown_kid_error(kid)
        return [found]
    return _candidates(index.signing, header, algorithms)


def _candidates(keys: Iterable[Any], header: dict[str, Any], algorithms: Any) -> list[Any]:
    """The keys to try, in order, for a token without ``kid``."""
    keys = list(keys)
    alg = header.get("alg")
    if isinstance(alg, str) and alg and alg in algorithms:
        fitting = [key for key in keys if _fits(alg, key)]
        if not fitting:
            raise PyJWKClientError(f'Unable to find a signing key that fits the algorithm: "{alg}"')
        return fitting
    # The alg is missing or not allowed: any key makes PyJWT say so exactly.
    if not keys:
        raise PyJWKClientError("There is no signing key to verify the token with")
    return keys[:1]


def _index_current(index: SetIndex | None, entry: CachedToken) -> bool | None:
    if index is None:
        return None
    if entry.has_kid:
        return index.by_kid.get(entry.kid) is entry.key
    return any(key is entry.key for key in index.signing)


class _StaticSet(_Source):
    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.index = SetIndex(jwk_set)

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        return _from_index(self.index, header, algorithms)

    def current(self, entry: CachedToken) -> bool | None:
        return _index_current(self.index, entry)


class _MappingSource(_Source):
    """``{kid: key}``, read on every call: the mapping may change."""

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.mapping = mapping

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        if "kid" in header:
            kid = header["kid"]
            try:
                return [self.mapping[kid]]
            except KeyError:
                raise unknown_kid_error(kid) from None
        return _candidates(self.mapping.values(), header, algorithms)

    def current(self, entry: CachedToken) -> bool | None:
        if entry.has_kid:
            return self.mapping.get(entry.kid) is entry.key
        return any(key is entry.key for key in self.mapping.values())


class _CallableSource(_Source):
    """``fn(header) -> key``; an awaitable result needs decode_async."""

    def __init__(self, fn: KeyCallable) -> None:
        self.fn = fn

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        key = self.fn(header)
        if _is_awaitable(key):
            _close_awaitable(key)
            raise _async_only_error()
        return [key]

    async def resolve_async(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        key = self.fn(header)
        if _is_awaitable(key):
            key = await key
        return [key]

    def current(self, entry: CachedToken) -> bool | None:
        return self.resolve(_fresh_json(entry.header_json), None)[0] is entry.key

    async def current_async(self, entry: CachedToken) -> bool | None:
        keys = await self.resolve_async(_fresh_json(entry.header_json), None)
        return keys[0] is entry.key


class _ClientSource(_Source):
    """A :class:`PyJWKClient` (sync) or :class:`AsyncPyJWKClient`.

    While the client's cached set is fresh, lookups are dictionary reads
    in an index of that set; anything else goes through the client's own
    methods, so downloads, the cooldown and the errors are the client's.
    """

    def __init__(self, client: PyJWKClient | AsyncPyJWKClient) -> None:
        self.client = client
        self.is_async = isinstance(client, AsyncPyJWKClient)
        self._index: SetIndex | None = None

    def _fresh_index(self) -> SetIndex | None:
        jwk_set = self.client._fresh_jwk_set()
        if jwk_set is None:
            return None
        index = self._index
        if index is None or index.jwk_set is not jwk_set:
            index = SetIndex(jwk_set)
            self._index = index
        return index

    def _index_of(self, jwk_set: PyJWKSet) -> SetIndex:
        index = self._index
        if index is None or index.jwk_set is not jwk_set:
            index = SetIndex(jwk_set)
        return index

    def _fast(self, header: dict[str, Any], algorithms: Any) -> list[Any] | None:
        index = self._fresh_index()
        if index is None:
            return None
        if "kid" in header and header["kid"] not in index.by_kid:
            return None  # the client decides: refresh within the cooldown, or fail
        return _from_index(index, header, algorithms)

    def resolve(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        if self.is_async:
            raise _async_only_error()
        fast = self._fast(header, algorithms)
        if fast is not None:
            return fast
        client = self.client
        assert isinstance(client, PyJWKClient)
        if "kid" in header:
            return [client.get_signing_key(header["kid"])]
        return _from_index(self._index_of(client.get_jwk_set()), header, algorithms)

    async def resolve_async(self, header: dict[str, Any], algorithms: Any) -> list[Any]:
        fast = self._fast(header, algorithms)
        if fast is not None:
            return fast
        client = self.client
        if not isinstance(client, AsyncPyJWKClient):
            # A blocking client: its downloads run off the event loop.
            import asyncio

            return await asyncio.to_thread(self.resolve, header, algorithms)
        if "kid" in header:
            return [await client.get_signing_key(header["kid"])]
        return _from_index(self._index_of(await client.get_jwk_set()), header, algorithms)

    def current(self, entry: CachedToken) -> bool | None:
        return _index_current(self._fresh_index(), entry)


def _make_source(keys: Any) -> _Source:
    if isinstance(keys, (PyJWKClient, AsyncPyJWKClient)):
        return _ClientSource(keys)
    if isinstance(keys, PyJWKSet):
        return _StaticSet(keys)
    if isinstance(keys, Mapping):
        return _MappingSource(keys)
    if isinstance(keys, (str, bytes, PyJWK)) or not callable(keys):
        return _SingleKey(keys)
    return _CallableSource(keys)


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
    :param cache_size: how many verified tokens to remember (an LRU);
        ``0`` turns the cache off.  The default, 1024, covers the active
        sessions of a busy gateway process while bounding memory to a few
        MiB (tokens over 8 KiB are never cached).  A hit still resolves the
        key (it must be the same key object) and checks every claim; HS*
        tokens are not cached with the compiled core (:data:`CACHE_HMAC`).
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
        # (alg, id(key)) -> (key, cacheable): keys below the recommended
        # length warn on every decode, so their tokens are not cached.
        self._key_ok: dict[tuple[str, int], tuple[Any, bool]] = {}

    # -- the two seams -----------------------------------------------------

    def _decode_with_key(self, token: str | bytes, key: Any, complete: bool) -> dict[str, Any]:
        """The one place a token is decoded: :func:`cyjwt.decode_complete`
        (or :func:`cyjwt.decode`) with the verifier's policy and *key*."""
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
        cache = self._cache
        if cache is None or type(token) not in (str, bytes):
            return None
        entry = cache.get(token)
        if entry is None:
            return None
        if time.time() >= entry.expires:
            cache.discard(token, entry)
            return None
        if entry.header_json is None and not entry.refused:
            self._complete_entry(token, entry)
        return entry

    def _hit(self, token: Any, entry: CachedToken, current: bool | None, complete: bool) -> Any:
        """The answer from a cache entry whose key is still current, or
        ``None`` (then the token is decoded in full)."""
        if not current:
            if current is False and self._cache is not None:
                self._cache.discard(token, entry)
            return None
        payload = _fresh_json(entry.payload_json)
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
        if source.needs_header:
            keys = source.resolve(api_jws.get_unverified_header(token), self._algorithms)
        else:
            keys = source.resolve({}, self._algorithms)
        return self._decode_keys(token, keys, complete, remember)

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
        else:
            keys = source.resolve({}, self._algorithms)
        return self._decode_keys(token, keys, complete, remember)

    def _decode_keys(self, token: Any, keys: list[Any], complete: bool, remember: bool) -> Any:
        if len(keys) == 1:
            key = keys[0]
            decoded = self._decode_with_key(token, key, complete)
        else:
            first_error: Exception | None = None
            for key in keys:
                try:
                    decoded = self._decode_with_key(token, key, complete)
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
        if type(token) not in (str, bytes) or len(token) > MAX_CACHED_TOKEN_LENGTH:
            return
        expires: float = float("inf")
        if "exp" in payload:
            try:
                expires = int(payload["exp"])
            except (TypeError, ValueError, OverflowError):
                return
        self._cache.put(token, CachedToken(key, expires))

    def _complete_entry(self, token: str | bytes, entry: CachedToken) -> None:
        """Fill in *entry* from the token's own segments (they verified, so
        they decode), or mark it refused: an HS* token where those are not
        cached, a key below the recommended length (the entry then stays,
        so the token is not stored again on every call)."""
        try:
            raw = token.encode("utf-8") if isinstance(token, str) else token
            head, body, signature = raw.split(b".")
            header_json = _core.b64url_decode_segment(head, "header")
            header = _core.json_loads(header_json)
            alg = header.get("alg")
        except Exception:  # pragma: no cover - it verified, so it decodes
            entry.refused = True
            return
        if (not self._cache_hmac and isinstance(alg, str) and alg.startswith("HS")) or (
            not self._key_cacheable(alg, entry.key)
        ):
            entry.refused = True
            return
        entry.kid = header.get("kid")
        entry.has_kid = "kid" in header
        entry.payload_json = _core.b64url_decode_segment(body, "payload")
        entry.signature = _core.b64url_decode_segment(signature, "crypto")
        entry.header_json = header_json  # last: marks the entry complete

    def _key_cacheable(self, alg: Any, key: Any) -> bool:
        """False for keys below the recommended length (PyJWT warns about
        them on every decode, which a cache hit would not)."""
        slot = (alg, id(key))
        known = self._key_ok.get(slot)
        if known is not None and known[0] is key:
            return known[1]
        try:
            if isinstance(key, PyJWK):
                alg_obj = key.Algorithm
                prepared = alg_obj.prepare_key(key.key)
            else:
                alg_obj = api_jws.get_algorithm_by_name(alg)
                prepared = api_jws._prepare_key(alg_obj, key)
            ok = not alg_obj.check_key_length(prepared)
        except Exception:
            ok = False
        if len(self._key_ok) >= 256:
            self._key_ok.clear()
        self._key_ok[slot] = (key, ok)
        return ok


def _fresh_json(data: bytes | None) -> Any:
    """A new object tree from cached JSON bytes: exactly what the full
    decode returned for them, sharing nothing with earlier results."""
    assert data is not None  # entries are complete before they are used
    return _core.json_loads(data)
