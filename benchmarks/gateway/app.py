"""The gateway under test: a minimal ASGI app that checks a Bearer token.

``GET /<anything>`` with ``Authorization: Bearer <token>`` answers 200 when
the token verifies and 401 otherwise; ``GET /stats`` answers the counters as
JSON.  Every verification is timed with ``time.perf_counter_ns`` inside this
process, so the runner can tell how much of the server's CPU time went to
checking tokens.  No framework: the app is the ASGI callable itself.

The ways of checking (``MODES``):

* ``none``: no check at all, the ceiling of the server;
* ``pyjwt``: ``jwt.decode`` of PyJWT, as its documentation writes it;
* ``cyjwt``: the same call on ``cyjwt``;
* ``verifier``: ``cyjwt.JWTVerifier``, built once, with its cache.

For RS256 the keys come from a JWKS URL: ``PyJWKClient(url)`` and, per
request, ``get_signing_key_from_jwt(token).key`` (PyJWT's documented recipe)
for ``pyjwt`` and ``cyjwt``; the client itself is the verifier's key source.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Verify = Callable[[str], Any]

MODES = ("none", "pyjwt", "cyjwt", "verifier")
VERIFIER_CACHE_SIZE = 512


@dataclass(frozen=True)
class GatewaySettings:
    mode: str
    alg: str  # "HS256" or "RS256"
    audience: str
    issuer: str
    secret: bytes = b""  # HS256
    jwks_url: str = ""  # RS256
    cache_size: int = VERIFIER_CACHE_SIZE


def _decode_call(jwt: Any, settings: GatewaySettings) -> Verify:
    """``jwt.decode`` written the documented way, for PyJWT or cyjwt."""
    decode = jwt.decode
    aud, iss = settings.audience, settings.issuer
    if settings.alg == "HS256":
        secret = settings.secret

        def verify_hs(token: str) -> Any:
            return decode(token, secret, algorithms=["HS256"], audience=aud, issuer=iss)

        return verify_hs
    signing_key = jwt.PyJWKClient(settings.jwks_url).get_signing_key_from_jwt

    def verify_rs(token: str) -> Any:
        key = signing_key(token).key
        return decode(token, key, algorithms=["RS256"], audience=aud, issuer=iss)

    return verify_rs


def make_verify(settings: GatewaySettings) -> Optional[Verify]:
    """The token check for ``settings.mode``; None for ``none``."""
    if settings.mode == "none":
        return None
    if settings.mode == "pyjwt":
        import jwt

        return _decode_call(jwt, settings)
    import cyjwt

    if settings.mode == "cyjwt":
        return _decode_call(cyjwt, settings)
    if settings.mode != "verifier":
        raise ValueError(f"unknown mode {settings.mode!r}")
    verifier_cls = getattr(cyjwt, "JWTVerifier", None)
    if verifier_cls is None:
        raise RuntimeError("JWTVerifier not available in this cyjwt")
    keys: Any = settings.secret if settings.alg == "HS256" else cyjwt.PyJWKClient(settings.jwks_url)
    verifier = verifier_cls(
        keys,
        algorithms=[settings.alg],
        audience=settings.audience,
        issuer=settings.issuer,
        cache_size=settings.cache_size,
    )
    decode: Verify = verifier.decode
    return decode


class Stats:
    """Counters read through ``/stats``: requests, outcomes, time in verify, CPU time."""

    def __init__(self) -> None:
        self.requests = 0
        self.accepted = 0
        self.rejected = 0
        self.verify_ns = 0

    def snapshot(self) -> Dict[str, int]:
        return {
            "requests": self.requests,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "verify_ns": self.verify_ns,
            "cpu_ns": time.process_time_ns(),
            "wall_ns": time.perf_counter_ns(),
        }


def _headers(body: bytes, extra: Optional[List[List[bytes]]] = None) -> List[List[bytes]]:
    return [
        [b"content-type", b"text/plain"],
        [b"content-length", str(len(body)).encode()],
        *(extra or []),
    ]


_OK = b"ok\n"
_DENIED = b"unauthorized\n"
_CHALLENGE = [[b"www-authenticate", b'Bearer error="invalid_token"']]


def bearer_token(scope: Scope) -> Optional[str]:
    """The token of the ``Authorization: Bearer`` header, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token:
                return str(token.strip().decode("latin-1"))
            return None
    return None


def make_app(settings: GatewaySettings) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app for ``settings``; its counters are on ``app.stats``."""
    verify = make_verify(settings)
    stats = Stats()
    clock = time.perf_counter_ns

    async def respond(
        send: Send, status: int, body: bytes, extra: Optional[List[List[bytes]]] = None
    ) -> None:
        await send(
            {"type": "http.response.start", "status": status, "headers": _headers(body, extra)}
        )
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/stats":
            await respond(send, 200, json.dumps(stats.snapshot()).encode())
            return
        stats.requests += 1
        token = bearer_token(scope)
        ok = verify is None
        if token is not None and verify is not None:
            t0 = clock()
            try:
                verify(token)
                ok = True
            except Exception:
                ok = False
            stats.verify_ns += clock() - t0
        if ok:
            stats.accepted += 1
            await respond(send, 200, _OK)
        else:
            stats.rejected += 1
            await respond(send, 401, _DENIED, _CHALLENGE)

    app.stats = stats  # type: ignore[attr-defined]
    return app
