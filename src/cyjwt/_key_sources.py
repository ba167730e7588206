"""Where :class:`~cyjwt.JWTVerifier` gets its keys: one key, a JWK Set, a
``{kid: key}`` mapping, a callable, or a (sync or async) JWKS client, each
behind the same small interface (:class:`_Source`).  Part of
:mod:`cyjwt.verifier`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Union

from . import _jwks_policy, api_jws
from ._jwks_policy import SetIndex, unknown_kid_error
from ._token_cache import CachedToken, _fresh_json
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientError
from .jwks_async import AsyncPyJWKClient
from .jwks_client import PyJWKClient

KeyCallable = Callable[[dict[str, Any]], Any]
KeySource = Union[Any, PyJWKSet, Mapping[str, Any], PyJWKClient, AsyncPyJWKClient, KeyCallable]

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


def jwk_key_object(jwk: PyJWK, alg: Any, registry: Mapping[str, Any]) -> Any:
    """The key object a decode may be given in place of *jwk*, for a token
    whose header names *alg*; ``None`` when only *jwk* itself will do.

    With a PyJWK, PyJWS verifies with ``jwk.Algorithm`` and ``jwk.key``,
    once the header's ``alg`` is allowed and equals ``jwk.algorithm_name``.
    Given ``jwk.key`` instead, it verifies with the algorithm registered
    for ``alg`` (in *registry*): the same thing when that is an object of
    the same class with the same attributes (hash, curve, nothing set on
    the instance).  PEM/secret text keys are left to the PyJWK path.
    """
    if type(alg) is not str or alg != jwk.algorithm_name:
        return None
    key = jwk.key
    if type(key) is str or type(key) is bytes:
        return None
    algorithm = jwk.Algorithm
    registered = registry.get(alg)
    if type(registered) is not type(algorithm) or (
        registered is not algorithm and registered.__dict__ != algorithm.__dict__
    ):
        return None
    return key


class KeyLengthCheck:
    """``check(alg, key)``: False for keys below the recommended length
    (PyJWT warns about them on every decode, which a cache hit would not),
    remembered per key object (256 at most)."""

    def __init__(self) -> None:
        # (alg, id(key)) -> (key, cacheable)
        self._known: dict[tuple[Any, int], tuple[Any, bool]] = {}

    def __call__(self, alg: Any, key: Any) -> bool:
        slot = (alg, id(key))
        known = self._known.get(slot)
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
        if len(self._known) >= 256:
            self._known.clear()
        self._known[slot] = (key, ok)
        return ok


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
    #: Whether :meth:`kid_lookup` answers (the verifier then remembers the
    #: header segments it read, see JWTVerifier._header).
    pure_kid_lookup = False

    def kid_lookup(self, kid: str) -> Any:
        """The key for *kid* when finding it runs no I/O, no caller code
        and raises nothing: what :meth:`resolve` gives for a header with
        that ``kid``.  ``None``: ask :meth:`resolve`."""
        return None

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
    pure_kid_lookup = True

    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.index = SetIndex(jwk_set)
        # The index never changes: kid_lookup is its dictionary's get.
        self.kid_lookup = self.index.by_kid.get  # type: ignore[method-assign, assignment]

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
        self.pure_kid_lookup = not self.is_async
        self._index: SetIndex | None = None

    def kid_lookup(self, kid: str) -> Any:
        # While the client's set is fresh (else the client decides).  A
        # due refresh_ahead download starts here as it would in resolve.
        index = self._fresh_index()
        if index is None:
            return None
        return index.by_kid.get(kid)

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
