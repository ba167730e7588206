"""The JWKS fetch policy shared by :class:`~cyjwt.PyJWKClient` and
:class:`~cyjwt.AsyncPyJWKClient`, and the download both use.

The policy knobs (keyword-only arguments of both clients):

* ``cooldown``: seconds during which an unknown ``kid`` does not trigger
  another download (see each client for what starts the clock);
* ``stale_if_error``: seconds past the set's ``lifespan`` during which a
  failed download keeps serving the last good set, with a warning logged
  on the ``cyjwt.jwks`` logger;
* ``refresh_ahead``: seconds before the set's ``lifespan`` runs out at which
  a lookup starts a background download while the current set keeps
  serving;
* single flight: callers that need a download while one is running wait
  for it instead of starting their own.

The defaults of :class:`~cyjwt.PyJWKClient` (``stale_if_error=0``,
``refresh_ahead=0``, no response size limit) keep PyJWT 2.15.1's behaviour.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import time
import urllib.request
from ssl import SSLContext
from typing import Any, Callable
from urllib.error import HTTPError, URLError

from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientConnectionError, PyJWKClientError
from .jwk_set_cache import JWKSetCache

__all__ = [
    "SetIndex",
    "check_cooldown",
    "check_response_size",
    "check_scheme",
    "check_seconds",
    "failed_recently",
    "download",
    "logger",
    "refresh_ahead_due",
    "set_cache",
    "stale_jwk_set",
    "unknown_kid_error",
]

#: Where stale-set and background-refresh warnings go.
logger = logging.getLogger("cyjwt.jwks")

_ALLOWED_SCHEMES = ("http", "https")


def check_scheme(uri: str) -> None:
    """Refuse any URL whose scheme is not ``http`` or ``https``.

    urllib would open ``file:``, ``ftp:`` or ``data:`` URLs; a URL an
    attacker can influence must not reach those.
    """
    from urllib.parse import urlparse

    scheme = urlparse(uri).scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        raise PyJWKClientError(
            f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
        )


def check_seconds(name: str, value: float) -> float:
    """Return *value* if it is a finite number of seconds >= 0.

    :raises PyJWKClientError: otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PyJWKClientError(f'{name} must be a number of seconds, the input is "{value!r}"')
    if not math.isfinite(value) or value < 0:
        raise PyJWKClientError(
            f'{name} must be finite and greater than or equal to 0, the input is "{value}"'
        )
    return value


def check_cooldown(value: float) -> float:
    """PyJWKClient's check of ``cooldown_duration`` (and its messages)."""
    if value < 0:
        raise PyJWKClientError(
            f'Cooldown duration must be greater than or equal to 0, the input is "{value}"'
        )
    if not math.isfinite(value):
        raise PyJWKClientError(f'Cooldown duration must be finite, the input is "{value}"')
    return value


def set_cache(cache_jwk_set: bool, lifespan: float) -> JWKSetCache | None:
    """The JWK Set cache a client asked for (PyJWKClient's lifespan check)."""
    if not cache_jwk_set:
        return None
    if lifespan <= 0:
        raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
    return JWKSetCache(lifespan)


def check_response_size(value: int | None) -> int | None:
    """``max_response_size``: a positive int, or ``None`` for no limit."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise PyJWKClientError(
            f'max_response_size must be a positive int or None, the input is "{value!r}"'
        )
    return value


def connection_error(exc: BaseException) -> PyJWKClientConnectionError:
    """The error both clients raise for a failed request (PyJWKClient's text)."""
    return PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{exc}"')


def oversize_error(limit: int) -> PyJWKClientConnectionError:
    return PyJWKClientConnectionError(
        f'Fail to fetch data from the url, err: "response larger than {limit} bytes"'
    )


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Refuse every HTTP redirect.

    Returning ``None`` from :meth:`redirect_request` makes urllib raise the
    3xx response as an :class:`~urllib.error.HTTPError` instead of following
    it, so request headers (which may carry credentials) are never replayed
    to another host.
    """

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def download(
    uri: str,
    headers: dict[str, Any],
    timeout: float,
    ssl_context: SSLContext | None,
    max_response_size: int | None,
) -> Any:
    """GET *uri* with urllib (no redirects) and return the decoded JSON.

    ``urllib.request.build_opener`` is looked up at call time, so tests can
    replace it.  With *max_response_size*, a body longer than that many
    bytes is refused before it is parsed.

    :raises PyJWKClientConnectionError: the request failed (network error,
        timeout, HTTP error status, redirect, broken or oversize response).
    :raises ValueError: the body is not JSON (not wrapped, as PyJWT).
    """
    try:
        request = urllib.request.Request(url=uri, headers=headers)
        handlers: list[Any] = [_NoRedirectHandler()]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(request, timeout=timeout) as response:
            if max_response_size is None:
                return json.load(response)
            body = response.read(max_response_size + 1)
    except (URLError, TimeoutError, http.client.HTTPException) as exc:
        if isinstance(exc, HTTPError):
            # An HTTPError owns the response socket; release it now.
            exc.close()
        raise connection_error(exc) from exc
    if len(body) > max_response_size:
        raise oversize_error(max_response_size)
    return json.loads(body)


def stale_jwk_set(cache: JWKSetCache | None, stale_if_error: float) -> PyJWKSet | None:
    """The last good set, if it is at most ``lifespan + stale_if_error``
    seconds old; ``None`` otherwise (or when *stale_if_error* is 0)."""
    if cache is None or stale_if_error <= 0:
        return None
    entry = cache.jwk_set_with_timestamp
    if entry is None:
        return None
    if cache.lifespan > -1:
        age = time.monotonic() - entry.get_timestamp()
        if age > cache.lifespan + stale_if_error:
            return None
    return entry.get_jwk_set()


def failed_recently(last_failure: float | None, cooldown: float) -> bool:
    """Whether a download failed less than *cooldown* seconds ago (while a
    stale set serves, the endpoint is asked at most once per cooldown)."""
    return last_failure is not None and time.monotonic() - last_failure < cooldown


def warn_stale(uri: str, exc: BaseException) -> None:
    logger.warning(
        "JWKS download from %s failed (%s: %s); serving the last good key set (stale_if_error)",
        uri,
        type(exc).__name__,
        exc,
    )


def refresh_ahead_due(cache: JWKSetCache | None, refresh_ahead: float) -> bool:
    """Whether the cached set is within *refresh_ahead* seconds of its end."""
    if cache is None or refresh_ahead <= 0 or not cache.lifespan > 0:
        return False
    entry = cache.jwk_set_with_timestamp
    if entry is None:
        return False
    return time.monotonic() - entry.get_timestamp() >= cache.lifespan - refresh_ahead


def fresh_jwk_set(
    cache: JWKSetCache | None, refresh_ahead: float, start_refresh: Callable[[], None]
) -> PyJWKSet | None:
    """The cached set while it is fresh, with no I/O (``None`` otherwise);
    calls *start_refresh* when a ``refresh_ahead`` download is due.  The
    same for both clients (their ``_fresh_jwk_set``)."""
    if cache is None:
        return None
    jwk_set = cache.get()
    if jwk_set is not None and refresh_ahead and refresh_ahead_due(cache, refresh_ahead):
        start_refresh()
    return jwk_set


def unknown_kid_error(kid: Any) -> PyJWKClientError:
    """PyJWKClient's error for a ``kid`` no signing key has."""
    return PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')


def is_signing_key(jwk: PyJWK) -> bool:
    """``use`` is ``"sig"`` or absent (PyJWKClient's filter, less the kid)."""
    return jwk.public_key_use in ("sig", None)


class SetIndex:
    """One parsed key set, indexed for lookups on every request.

    ``by_kid`` maps each ``kid`` to the first signing key that has it (what
    :meth:`PyJWKClient.match_kid` over :meth:`~PyJWKClient.get_signing_keys`
    returns); ``signing`` lists every signing key, with or without ``kid``,
    in set order (the candidates for a token without ``kid``).
    """

    __slots__ = ("by_kid", "jwk_set", "signing")

    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.jwk_set = jwk_set
        self.signing: list[PyJWK] = [jwk for jwk in jwk_set.keys if is_signing_key(jwk)]
        self.by_kid: dict[str, PyJWK] = {}
        for jwk in self.signing:
            kid = jwk.key_id
            # Header kids are strings; a JWK's non-string kid never matches.
            if isinstance(kid, str) and kid and kid not in self.by_kid:
                self.by_kid[kid] = jwk
