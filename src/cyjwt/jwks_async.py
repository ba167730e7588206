"""Fetch signing keys from a JWKS endpoint without blocking the event loop.

:class:`AsyncPyJWKClient` takes :class:`~cyjwt.PyJWKClient`'s constructor
arguments and has its methods as coroutines, with the same errors and
messages.  By default the download is the same urllib request as
PyJWKClient's (no redirects, ``http``/``https`` only), run in a worker
thread through :func:`asyncio.to_thread`; ``http_client=`` takes an
``httpx.AsyncClient`` instead (``pip install "cyjwt[httpx]"``).

The fetch policy (:mod:`cyjwt._jwks_policy`) defaults to protecting the
endpoint: ``cooldown=30`` seconds between downloads triggered by unknown
``kid`` values (counted from the last download attempt, failed or not),
single flight (concurrent callers that need a download share one), and a
1 MiB limit on the response.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from . import _jwks_policy
from ._jwks_policy import check_seconds, connection_error, oversize_error
from .api_jwk import PyJWK, PyJWKSet
from .api_jwt import decode_complete as decode_token
from .jwk_set_cache import JWKSetCache
from .jwks_client import PyJWKClient

if TYPE_CHECKING:  # pragma: no cover
    # asyncio is imported where it is used: `import cyjwt` stays light.
    import asyncio

__all__ = ["AsyncPyJWKClient", "DEFAULT_MAX_RESPONSE_SIZE"]

#: Default limit on a JWKS response body (a real set is a few KiB).
DEFAULT_MAX_RESPONSE_SIZE = 1 << 20


class _HTTPStatusError(Exception):
    """A non-2xx answer from the httpx client, worded as urllib words it."""


class AsyncPyJWKClient:
    """Look up signing keys published at a JWKS URL, from async code.

    The positional arguments are :class:`~cyjwt.PyJWKClient`'s, with the
    same meaning and checks.  Keyword-only:

    :param http_client: an ``httpx.AsyncClient`` to make the request with
        (redirects are not followed); ``None`` runs the stdlib request in a
        worker thread.
    :param cooldown: seconds after a download attempt (failed or not)
        during which an unknown ``kid`` does not trigger another one;
        default 30, as Node jose.  ``cooldown_duration`` is accepted as
        PyJWKClient's name for it; ``cooldown`` wins when both are given.
    :param stale_if_error: seconds past ``lifespan`` during which a failed
        download serves the last good set (warning logged on the
        ``cyjwt.jwks`` logger).
    :param refresh_ahead: seconds before ``lifespan`` runs out at which a
        lookup starts a background download.
    :param max_response_size: refuse a longer response body (bytes);
        ``None`` reads any size.
    """

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: dict[str, Any] | None = None,
        timeout: float = 30,
        ssl_context: SSLContext | None = None,
        cooldown_duration: float | None = None,
        *,
        http_client: Any = None,
        cooldown: float | None = None,
        stale_if_error: float = 0,
        refresh_ahead: float = 0,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        _jwks_policy.check_scheme(uri)
        if cooldown is None:
            cooldown = 30 if cooldown_duration is None else cooldown_duration
        # PyJWKClient's checks and messages for the shared arguments.
        cooldown = _jwks_policy.check_cooldown(cooldown)
        self.uri = uri
        self.headers: dict[str, Any] = {} if headers is None else headers
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cooldown_duration = cooldown
        self.jwk_set_cache: JWKSetCache | None = _jwks_policy.set_cache(cache_jwk_set, lifespan)
        self.http_client = http_client
        self._stale_if_error = check_seconds("stale_if_error", stale_if_error)
        self._refresh_ahead = check_seconds("refresh_ahead", refresh_ahead)
        self._max_response_size = _jwks_policy.check_response_size(max_response_size)
        self._key_cache: OrderedDict[Any, PyJWK] | None = OrderedDict() if cache_keys else None
        self._max_cached_keys = max_cached_keys
        self._last_successful_fetch: float | None = None
        self._last_attempt: float | None = None
        self._last_failure: float | None = None
        self._lock = threading.Lock()
        self._inflight: dict[asyncio.AbstractEventLoop, asyncio.Task[PyJWKSet]] = {}
        self._background_started = -float("inf")

    # -- the download ------------------------------------------------------

    async def fetch_data(self) -> Any:
        """Download the key set and return the decoded JSON object.

        As :meth:`PyJWKClient.fetch_data`: the cache (when on) is refreshed
        on success and left alone on failure; same errors.
        """
        import asyncio

        self._last_attempt = time.monotonic()
        if self.http_client is None:
            data = await asyncio.to_thread(
                _jwks_policy.download,
                self.uri,
                self.headers,
                self.timeout,
                self.ssl_context,
                self._max_response_size,
            )
        else:
            data = await self._fetch_with_httpx()
        payload = PyJWKClient._as_jwk_set_payload(data)
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(payload)
        self._last_successful_fetch = time.monotonic()
        return payload

    async def _fetch_with_httpx(self) -> Any:
        import httpx

        limit = self._max_response_size
        chunks: list[bytes] = []
        try:
            async with self.http_client.stream(
                "GET",
                self.uri,
                headers=self.headers,
                timeout=self.timeout,
                follow_redirects=False,
            ) as response:
                if not 200 <= response.status_code < 300:
                    raise _HTTPStatusError(
                        f"HTTP Error {response.status_code}: {response.reason_phrase}"
                    )
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise oversize_error(limit)
                    chunks.append(chunk)
        except (httpx.HTTPError, _HTTPStatusError) as exc:
            raise connection_error(exc) from exc
        return json.loads(b"".join(chunks))

    def _task(self, loop: asyncio.AbstractEventLoop) -> asyncio.Task[PyJWKSet]:
        """The download under way on *loop*, or a new one (single flight)."""
        with self._lock:
            task = self._inflight.get(loop)
            if task is None or task.done():
                task = loop.create_task(self._download_set())
                self._inflight[loop] = task
                self._last_attempt = time.monotonic()
                task.add_done_callback(self._task_done)
            return task

    def _task_done(self, task: asyncio.Task[PyJWKSet]) -> None:
        with self._lock:
            for loop, running in list(self._inflight.items()):
                if running is task:
                    del self._inflight[loop]
        if not task.cancelled():
            # Retrieved here: a failure whose waiters were all cancelled is
            # not reported as "never retrieved".
            task.exception()

    async def _download_set(self) -> PyJWKSet:
        stale = _jwks_policy.stale_jwk_set(self.jwk_set_cache, self._stale_if_error)
        if stale is not None and _jwks_policy.failed_recently(
            self._last_failure, self.cooldown_duration
        ):
            return stale  # the endpoint failed moments ago: no request per lookup
        try:
            data = await self.fetch_data()
        except Exception as exc:
            if stale is None:
                raise
            self._last_failure = time.monotonic()
            _jwks_policy.warn_stale(self.uri, exc)
            return stale
        self._last_failure = None
        if isinstance(data, PyJWKSet):
            jwk_set = data
        else:
            jwk_set = PyJWKSet.from_dict(PyJWKClient._as_jwk_set_payload(data))
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(jwk_set)
        return jwk_set

    def _fresh_jwk_set(self) -> PyJWKSet | None:
        """The cached set while it is fresh (see _jwks_policy.fresh_jwk_set)."""
        return _jwks_policy.fresh_jwk_set(
            self.jwk_set_cache, self._refresh_ahead, self._start_background_refresh
        )

    def _start_background_refresh(self) -> None:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        now = time.monotonic()
        with self._lock:
            if now - self._background_started < 1.0:
                return
            running = self._inflight.get(loop)
            if running is not None and not running.done():
                return
            self._background_started = now
        task = self._task(loop)
        task.add_done_callback(_log_background_failure(self.uri))

    # -- PyJWKClient's methods, as coroutines -----------------------------

    async def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The key set, from the cache unless it is empty, stale or
        ``refresh`` is true (callers needing a download share one)."""
        if not refresh:
            cached = self._fresh_jwk_set()
            if cached is not None:
                return cached
        import asyncio

        task = self._task(asyncio.get_running_loop())
        return await asyncio.shield(task)

    async def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """The keys usable for signatures (``use`` ``"sig"`` or absent,
        with a ``kid``).

        :raises PyJWKClientError: no key qualifies.
        """
        return PyJWKClient._get_signing_keys_from_jwk_set(await self.get_jwk_set(refresh))

    async def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key whose ``kid`` matches; an unknown ``kid``
        triggers one download unless the cooldown is running.

        :raises PyJWKClientError: no key matches.
        """
        key_cache = self._key_cache
        if key_cache is not None:
            with self._lock:
                cached = key_cache.get(kid)
                if cached is not None:
                    key_cache.move_to_end(kid)
                    return cached
        key = self.match_kid(await self.get_signing_keys(), kid)
        if key is None and not self._in_cooldown():
            key = self.match_kid(await self.get_signing_keys(refresh=True), kid)
        if key is None:
            raise _jwks_policy.unknown_kid_error(kid)
        if key_cache is not None:
            with self._lock:
                key_cache[kid] = key
                if len(key_cache) > self._max_cached_keys:
                    key_cache.popitem(last=False)
        return key

    def _in_cooldown(self) -> bool:
        last = self._last_attempt
        return (
            self.jwk_set_cache is not None
            and last is not None
            and time.monotonic() - last < self.cooldown_duration
        )

    async def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The signing key named by the ``kid`` header of ``token`` (which
        is only parsed here, not verified)."""
        unverified = decode_token(token, options={"verify_signature": False})
        return await self.get_signing_key(unverified["header"].get("kid"))

    match_kid = staticmethod(PyJWKClient.match_kid)


def _log_background_failure(uri: str) -> Any:
    def done(task: asyncio.Task[PyJWKSet]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            _jwks_policy.logger.warning(
                "Background JWKS refresh from %s failed (%s: %s)", uri, type(exc).__name__, exc
            )

    return done
