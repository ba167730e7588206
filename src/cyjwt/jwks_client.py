"""Fetch signing keys from a JWKS endpoint over HTTP(S).

:class:`PyJWKClient` mirrors PyJWT 2.15.1's client of the same name.  Two
optional caches sit in front of the network:

* the JWK Set cache (on by default): the whole key set, parsed, kept for
  ``lifespan`` seconds in a :class:`~cyjwt.jwk_set_cache.JWKSetCache`;
* the signing-key cache (off by default): :meth:`PyJWKClient.get_signing_key`
  wrapped per instance in :func:`functools.lru_cache`, with no expiry.

An unknown ``kid`` triggers at most one forced re-download per
``cooldown_duration`` seconds (counted from the last successful download),
unless the JWK Set cache is disabled, in which case every miss re-downloads.

Network access goes through ``urllib.request.build_opener`` looked up at
call time, and the clock through this module's ``time`` import, so both can
be replaced in tests.

cyjwt adds a fetch policy as keyword-only arguments (``cooldown``,
``stale_if_error``, ``refresh_ahead``, ``max_response_size``; see
:mod:`cyjwt._jwks_policy` and docs/gateway.md).  Their defaults keep PyJWT
2.15.1's behaviour.
"""

from __future__ import annotations

import http.client  # noqa: F401 - also a name of PyJWT's module
import json  # noqa: F401 - also a name of PyJWT's module
import math
import threading
import time
import urllib.request  # noqa: F401 - also a name of PyJWT's module
from functools import lru_cache
from ssl import SSLContext
from typing import Any
from urllib.error import HTTPError, URLError  # noqa: F401 - also names of PyJWT's module
from urllib.parse import urlparse  # noqa: F401 - also a name of PyJWT's module

from . import _jwks_policy
from ._jwks_policy import _NoRedirectHandler as _NoRedirectHandler  # also PyJWT's name
from .api_jwk import PyJWK, PyJWKSet
from .api_jwt import decode_complete as decode_token
from .exceptions import PyJWKClientConnectionError, PyJWKClientError  # noqa: F401
from .jwk_set_cache import JWKSetCache

__all__ = ["PyJWKClient"]


class PyJWKClient:
    """Look up signing keys published at a JWKS URL.

    :param uri: the JWKS endpoint; only ``http`` and ``https`` URLs are
        accepted (checked here, before any request is made).
    :param cache_keys: memoise :meth:`get_signing_key` per ``kid`` in an LRU
        cache of ``max_cached_keys`` entries that never expire.
    :param max_cached_keys: size of that LRU cache.
    :param cache_jwk_set: keep the downloaded key set for ``lifespan``
        seconds.
    :param lifespan: how long the key set stays fresh; must be above 0 when
        ``cache_jwk_set`` is true.
    :param headers: extra HTTP request headers.
    :param timeout: socket timeout of the request, in seconds.
    :param ssl_context: TLS settings for ``https`` requests.
    :param cooldown_duration: minimum number of seconds between a successful
        download and a forced re-download caused by an unknown ``kid``;
        ``0`` disables the limit.  Must be finite and not negative.
    :param cooldown: another name for ``cooldown_duration`` (the name the
        fetch policy uses on both clients); when given, it wins.  A stale
        set served under ``stale_if_error`` counts as a download here, so a
        failing endpoint is not asked again on every unknown ``kid``.
    :param stale_if_error: seconds past ``lifespan`` during which a failed
        download serves the last good set (warning logged on the
        ``cyjwt.jwks`` logger); ``0`` (the default) re-raises at once.
    :param refresh_ahead: seconds before ``lifespan`` runs out at which a
        lookup starts a background download, the current set serving
        meanwhile; ``0`` (the default) turns it off.
    :param max_response_size: refuse a response body longer than this
        many bytes; ``None`` (the default, as PyJWT) reads any size.
    :raises PyJWKClientError: when an argument is rejected.
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
        cooldown_duration: float = 30,
        *,
        cooldown: float | None = None,
        stale_if_error: float = 0,
        refresh_ahead: float = 0,
        max_response_size: int | None = None,
    ):
        if headers is None:
            headers = {}
        if cooldown is not None:
            cooldown_duration = cooldown

        _jwks_policy.check_scheme(uri)

        self.uri = uri
        self.jwk_set_cache: JWKSetCache | None = None
        self.headers = headers
        self.timeout = timeout
        self.ssl_context = ssl_context

        self.cooldown_duration = _jwks_policy.check_cooldown(cooldown_duration)
        self._last_successful_fetch: float | None = None
        self._client_lock = threading.RLock()

        self.jwk_set_cache = _jwks_policy.set_cache(cache_jwk_set, lifespan)

        self._stale_if_error = _jwks_policy.check_seconds("stale_if_error", stale_if_error)
        self._refresh_ahead = _jwks_policy.check_seconds("refresh_ahead", refresh_ahead)
        self._max_response_size = _jwks_policy.check_response_size(max_response_size)
        self._last_failure: float | None = None
        self._background_lock = threading.Lock()
        self._background_running = False
        self._background_started = -math.inf

        if cache_keys:
            # The instance attribute shadows the method, so every caller
            # (get_signing_key_from_jwt included) goes through the cache.
            cached = lru_cache(maxsize=max_cached_keys)(self.get_signing_key)
            self.get_signing_key = cached  # type: ignore[method-assign]

    def fetch_data(self) -> Any:
        """Download the key set and return the decoded JSON object.

        On success the JWK Set cache (when enabled) is refreshed and the
        cooldown clock restarts.  A failed download leaves the cache as it
        was.

        :raises PyJWKClientConnectionError: the request failed (network
            error, timeout, HTTP error status, redirect, broken response).
        :raises PyJWKClientError: the body is JSON but not an object.
        :raises PyJWKSetError: the cache is on and the object holds no
            usable key.
        """
        payload = _jwks_policy.download(
            self.uri, self.headers, self.timeout, self.ssl_context, self._max_response_size
        )
        payload = self._as_jwk_set_payload(payload)

        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(payload)
        self._last_successful_fetch = time.monotonic()
        return payload

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """Return the key set, from the cache unless it is empty, stale or
        ``refresh`` is true.

        :raises PyJWKClientError: the endpoint (or an overriding
            :meth:`fetch_data`) produced something other than a JSON object.
        """
        if self.jwk_set_cache is not None and not refresh:
            cached = self._fresh_jwk_set()
            if cached is not None:
                return cached
        # Single flight: one download at a time; who waited for it finds
        # the set it stored.
        with self._client_lock:
            data: Any = None
            downloaded = False
            if self.jwk_set_cache is not None and not refresh:
                data = self.jwk_set_cache.get()

            if data is None:
                stale = _jwks_policy.stale_jwk_set(self.jwk_set_cache, self._stale_if_error)
                if stale is not None and _jwks_policy.failed_recently(
                    self._last_failure, self.cooldown_duration
                ):
                    # The endpoint failed moments ago: no request per lookup.
                    return stale
                try:
                    data = self.fetch_data()
                except Exception as exc:
                    if stale is None:
                        raise
                    self._last_failure = time.monotonic()
                    _jwks_policy.warn_stale(self.uri, exc)
                    return stale
                self._last_failure = None
                downloaded = True

            if isinstance(data, PyJWKSet):
                jwk_set = data
            else:
                # fetch_data may be overridden, so its result is checked again.
                jwk_set = PyJWKSet.from_dict(self._as_jwk_set_payload(data))

            if downloaded and self.jwk_set_cache is not None:
                # Cache what is returned, which a subclass's fetch_data may have
                # altered, so that later cache hits agree with this call.
                self.jwk_set_cache.put(jwk_set)

            return jwk_set

    def _fresh_jwk_set(self) -> PyJWKSet | None:
        """The cached set while it is fresh (see _jwks_policy.fresh_jwk_set)."""
        return _jwks_policy.fresh_jwk_set(
            self.jwk_set_cache, self._refresh_ahead, self._start_background_refresh
        )

    def _start_background_refresh(self) -> None:
        with self._background_lock:
            now = time.monotonic()
            # One at a time, and at most one attempt a second.
            if self._background_running or now - self._background_started < 1.0:
                return
            self._background_running = True
            self._background_started = now
        thread = threading.Thread(
            target=self._background_refresh, name="cyjwt-jwks-refresh", daemon=True
        )
        thread.start()

    def _background_refresh(self) -> None:
        try:
            self.get_jwk_set(refresh=True)
        except Exception as exc:
            _jwks_policy.logger.warning(
                "Background JWKS refresh from %s failed (%s: %s)",
                self.uri,
                type(exc).__name__,
                exc,
            )
        finally:
            with self._background_lock:
                self._background_running = False

    @staticmethod
    def _as_jwk_set_payload(data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            return data
        raise PyJWKClientError("The JWKS endpoint did not return a JSON object")

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """Return the keys usable for signatures: those with a ``kid`` whose
        ``use`` is ``"sig"`` or absent.

        :raises PyJWKClientError: no key qualifies.
        """
        return self._get_signing_keys_from_jwk_set(self.get_jwk_set(refresh))

    @staticmethod
    def _get_signing_keys_from_jwk_set(jwk_set: PyJWKSet) -> list[PyJWK]:
        keys = [key for key in jwk_set.keys if key.public_key_use in ["sig", None] and key.key_id]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid: str) -> PyJWK:
        """Return the signing key whose ``kid`` matches.

        On a miss the key set is re-downloaded once and searched again,
        unless the cooldown since the last successful download has not run
        out yet (the cooldown only applies while the JWK Set cache is on).

        :raises PyJWKClientError: no key matches.
        """
        with self._client_lock:
            key = self.match_kid(self.get_signing_keys(), kid)
            if key:
                return key

            in_cooldown = (
                self.jwk_set_cache is not None
                and self._last_successful_fetch is not None
                and time.monotonic() - self._last_successful_fetch < self.cooldown_duration
            )
            if not in_cooldown:
                refreshed = self.get_signing_keys(refresh=True)
                self._last_successful_fetch = time.monotonic()
                key = self.match_kid(refreshed, kid)

            if not key:
                raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
            return key

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """Return the signing key named by the ``kid`` header of ``token``.

        The token is only parsed here, not verified.
        """
        unverified = decode_token(token, options={"verify_signature": False})
        return self.get_signing_key(unverified["header"].get("kid"))

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        """Return the first key of ``signing_keys`` whose ``key_id`` equals
        ``kid``, or ``None``."""
        for key in signing_keys:
            if key.key_id == kid:
                return key
        return None
