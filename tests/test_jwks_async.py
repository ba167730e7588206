"""AsyncPyJWKClient, the JWKS fetch policy of both clients, and JWTVerifier
over them, against a real JWKS server on 127.0.0.1 (started per test)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
import uuid
from typing import Any

import pytest

import cyjwt
from _jwks_server import Server as _Server
from cyjwt import AsyncPyJWKClient, JWTVerifier, PyJWKClient
from cyjwt.api_jwk import PyJWK, PyJWKSet
from cyjwt.exceptions import (
    InvalidSignatureError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)
from test_jwks_client import SECRET_A, SECRET_B, SET_A, SET_AB, _oct, server

__all__ = ["server"]  # the fixture, imported for the tests below

NOW = int(time.time())


def _token(kid: str | None, secret: bytes, **claims: Any) -> str:
    payload = {"sub": "42", "exp": NOW + 3600, **claims}
    headers = None if kid is None else {"kid": kid}
    return cyjwt.encode(payload, secret, algorithm="HS256", headers=headers)


def _expire(client: PyJWKClient | AsyncPyJWKClient, by: float) -> None:
    """Age the cached set by *by* seconds (no clock patching needed)."""
    assert client.jwk_set_cache is not None
    entry = client.jwk_set_cache.jwk_set_with_timestamp
    assert entry is not None
    entry.timestamp -= by


def _async_client(url: str, **kwargs: Any) -> AsyncPyJWKClient:
    kwargs.setdefault("timeout", 5)
    return AsyncPyJWKClient(url, **kwargs)


# --------------------------------------------------------------------------
# AsyncPyJWKClient: PyJWKClient's methods as coroutines, same answers
# --------------------------------------------------------------------------


def test_constructor_matches_pyjwkclient() -> None:
    client = AsyncPyJWKClient("https://issuer.test/jwks")
    assert client.uri == "https://issuer.test/jwks"
    assert client.headers == {} and client.timeout == 30 and client.ssl_context is None
    assert client.cooldown_duration == 30
    assert client.jwk_set_cache is not None and client.jwk_set_cache.lifespan == 300
    for bad in (
        {"uri": "file:///etc/passwd"},
        {"uri": "https://x.test/", "lifespan": 0},
        {"uri": "https://x.test/", "cooldown_duration": -1},
        {"uri": "https://x.test/", "cooldown_duration": float("inf")},
    ):
        with pytest.raises(PyJWKClientError) as sync_error:
            PyJWKClient(**bad)
        with pytest.raises(PyJWKClientError) as async_error:
            AsyncPyJWKClient(**bad)
        assert str(async_error.value) == str(sync_error.value)
    assert AsyncPyJWKClient("https://x.test/", cooldown_duration=5).cooldown_duration == 5
    assert (
        AsyncPyJWKClient("https://x.test/", cooldown_duration=5, cooldown=7).cooldown_duration == 7
    )
    for name in ("stale_if_error", "refresh_ahead"):
        for cls in (PyJWKClient, AsyncPyJWKClient):
            with pytest.raises(PyJWKClientError, match=name):
                negative: dict[str, Any] = {name: -1}
                cls("https://x.test/", **negative)
            with pytest.raises(PyJWKClientError, match=name):
                nan: dict[str, Any] = {name: float("nan")}
                cls("https://x.test/", **nan)
    with pytest.raises(PyJWKClientError, match="max_response_size"):
        AsyncPyJWKClient("https://x.test/", max_response_size=0)
    assert PyJWKClient("https://x.test/", cooldown=3).cooldown_duration == 3


def test_methods_are_coroutines_with_pyjwkclients_answers(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    sync = PyJWKClient(server.url("/jwks"), timeout=5)
    client = _async_client(server.url("/jwks"), headers={"X-Test": "1"})

    async def run() -> None:
        assert await client.fetch_data() == sync.fetch_data()
        jwk_set = await client.get_jwk_set()
        assert isinstance(jwk_set, PyJWKSet)
        assert await client.get_jwk_set() is jwk_set  # cached
        keys = await client.get_signing_keys()
        assert [k.key_id for k in keys] == [k.key_id for k in sync.get_signing_keys()]
        key = await client.get_signing_key("key-b")
        assert isinstance(key, PyJWK) and key.key_id == "key-b"
        token = _token("key-a", SECRET_A)
        assert (await client.get_signing_key_from_jwt(token)).key_id == "key-a"
        with pytest.raises(
            PyJWKClientError, match='^Unable to find a signing key that matches: "zz"$'
        ):
            await client.get_signing_key("zz")

    asyncio.run(run())
    assert server.requests[0][1].get("X-Test") == "1"


def test_signing_key_cache(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = _async_client(server.url("/jwks"), cache_keys=True, max_cached_keys=1)

    async def run() -> None:
        first = await client.get_signing_key("key-a")
        client.jwk_set_cache = None  # from now on every set lookup would download
        assert await client.get_signing_key("key-a") is first

    asyncio.run(run())
    assert server.hits("/jwks") == 1


def _error_of(call: Any) -> tuple[str, str]:
    try:
        call()
    except Exception as exc:
        return type(exc).__name__, str(exc)
    raise AssertionError("no error")


@pytest.mark.parametrize("case", ["redirect", "404", "garbage", "array", "oversize", "no-keys"])
def test_same_errors_as_pyjwkclient(server: _Server, case: str) -> None:
    big = json.dumps({"keys": [_oct(f"k{n}", SECRET_A) for n in range(20000)]}).encode()
    routes = {
        "redirect": (302, {"Location": server.url("/target")}, b""),
        "404": (404, {}, b"nope"),
        "garbage": (200, {}, b"{not json"),
        "array": (200, {}, b"[1, 2]"),
        "oversize": (200, {}, big),
        "no-keys": (200, {}, b'{"keys": []}'),
    }
    server.routes["/jwks"] = lambda: routes[case]
    server.json("/target", SET_A)
    limit = 1 << 20
    sync = PyJWKClient(server.url("/jwks"), timeout=5, max_response_size=limit)
    client = _async_client(server.url("/jwks"))
    assert len(big) > limit
    expected = _error_of(lambda: sync.get_jwk_set())
    got = _error_of(lambda: asyncio.run(client.get_jwk_set()))
    assert got == expected
    assert server.hits("/target") == 0
    if case == "redirect":
        assert expected == (
            "PyJWKClientConnectionError",
            'Fail to fetch data from the url, err: "HTTP Error 302: Found"',
        )
    if case == "oversize":
        assert expected[0] == "PyJWKClientConnectionError" and "larger than" in expected[1]
        # Without a limit PyJWKClient reads it all, as PyJWT does.
        assert len(PyJWKClient(server.url("/jwks")).get_jwk_set().keys) == 20000


def test_slow_server_times_out(server: _Server) -> None:
    release = threading.Event()

    def slow() -> tuple[int, dict[str, str], bytes]:
        release.wait(timeout=5)
        return 200, {}, b"{}"

    server.routes["/jwks"] = slow
    client = _async_client(server.url("/jwks"), timeout=0.2)
    try:
        if sys.version_info < (3, 10):
            import socket

            with pytest.raises(socket.timeout):
                asyncio.run(client.fetch_data())
            return
        with pytest.raises(PyJWKClientConnectionError) as info:
            asyncio.run(client.fetch_data())
    finally:
        release.set()
    assert str(info.value) == 'Fail to fetch data from the url, err: "timed out"'


# --------------------------------------------------------------------------
# Single flight, cooldown and the event loop
# --------------------------------------------------------------------------


def test_a_thousand_concurrent_decodes_make_one_request(server: _Server) -> None:
    gate = threading.Event()

    def slow_set() -> tuple[int, dict[str, str], bytes]:
        gate.wait(timeout=5)
        return 200, {}, json.dumps(SET_AB).encode()

    server.routes["/jwks"] = slow_set
    verifier = JWTVerifier(_async_client(server.url("/jwks")), algorithms=["HS256"])
    token = _token("key-b", SECRET_B)
    stranger = _token("unseen", SECRET_B)

    async def run() -> list[Any]:
        calls = [verifier.decode_async(token) for _ in range(1000)]
        calls += [verifier.decode_async(stranger) for _ in range(10)]
        pending = asyncio.gather(*calls, return_exceptions=True)
        # The loop keeps running while the request is pending.
        for _ in range(500):
            if server.hits("/jwks"):
                break
            await asyncio.sleep(0.01)
        assert server.hits("/jwks") == 1
        gate.set()
        return await pending

    results = asyncio.run(run())
    assert results[:1000] == [{"sub": "42", "exp": NOW + 3600}] * 1000
    assert all(isinstance(r, PyJWKClientError) for r in results[1000:])
    assert server.hits("/jwks") == 1


def test_the_loop_runs_during_a_fetch(server: _Server) -> None:
    gate = threading.Event()

    def blocked() -> tuple[int, dict[str, str], bytes]:
        gate.wait(timeout=10)
        return 200, {}, json.dumps(SET_A).encode()

    server.routes["/jwks"] = blocked
    client = _async_client(server.url("/jwks"))
    ticks = []

    async def ticker() -> None:
        while not gate.is_set():
            ticks.append(1)
            await asyncio.sleep(0.001)

    async def run() -> None:
        fetch = asyncio.ensure_future(client.get_signing_key("key-a"))
        tick = asyncio.ensure_future(ticker())
        while not server.hits("/jwks"):
            await asyncio.sleep(0.001)
        before = len(ticks)
        while len(ticks) < before + 20:  # would hang if the fetch blocked the loop
            await asyncio.sleep(0.001)
        gate.set()
        assert (await fetch).key_id == "key-a"
        await tick

    asyncio.run(asyncio.wait_for(run(), timeout=30))


def test_a_flood_of_random_kids_is_bounded_by_the_cooldown(server: _Server) -> None:
    server.json("/jwks", SET_A)
    verifier = JWTVerifier(_async_client(server.url("/jwks")), algorithms=["HS256"])

    async def run() -> None:
        for _ in range(300):
            with pytest.raises(PyJWKClientError, match="Unable to find a signing key"):
                await verifier.decode_async(_token(uuid.uuid4().hex, SECRET_A))

    asyncio.run(run())
    assert server.hits("/jwks") == 1  # the first download starts a 30 s cooldown

    # A short cooldown: at most one download per cooldown period.
    server.requests.clear()
    cooldown = 0.2
    client = _async_client(server.url("/jwks"), cooldown=cooldown)
    verifier = JWTVerifier(client, algorithms=["HS256"])
    started = time.monotonic()

    async def flood() -> None:
        while time.monotonic() - started < 1.0:
            with pytest.raises(PyJWKClientError):
                await verifier.decode_async(_token(uuid.uuid4().hex, SECRET_A))
            await asyncio.sleep(0.001)

    asyncio.run(flood())
    elapsed = time.monotonic() - started
    assert 1 <= server.hits("/jwks") <= 2 + elapsed / cooldown


def test_sync_client_flood_and_failing_endpoint(server: _Server) -> None:
    server.json("/jwks", SET_A)
    verifier = JWTVerifier(PyJWKClient(server.url("/jwks"), timeout=5), algorithms=["HS256"])
    for _ in range(100):
        with pytest.raises(PyJWKClientError):
            verifier.decode(_token(uuid.uuid4().hex, SECRET_A))
    assert server.hits("/jwks") == 1


# --------------------------------------------------------------------------
# Rotation through a verifier: keys added and removed
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_key_added_is_accepted_after_one_fetch(server: _Server, kind: str) -> None:
    server.json("/jwks", SET_A, SET_AB)
    client: Any = (
        PyJWKClient(server.url("/jwks"), timeout=5, cooldown_duration=0)
        if kind == "sync"
        else _async_client(server.url("/jwks"), cooldown=0)
    )
    verifier = JWTVerifier(client, algorithms=["HS256"])

    def decode(token: str) -> Any:
        if kind == "sync":
            return verifier.decode(token)
        return asyncio.run(verifier.decode_async(token))

    assert decode(_token("key-a", SECRET_A))["sub"] == "42"
    assert server.hits("/jwks") == 1
    assert decode(_token("key-b", SECRET_B))["sub"] == "42"
    assert server.hits("/jwks") == 2
    assert decode(_token("key-b", SECRET_B))["sub"] == "42"
    assert decode(_token("key-a", SECRET_A))["sub"] == "42"
    assert server.hits("/jwks") == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_key_removed_takes_its_cached_tokens(server: _Server, kind: str) -> None:
    server.json("/jwks", SET_AB, SET_A)
    client: Any = (
        PyJWKClient(server.url("/jwks"), timeout=5)
        if kind == "sync"
        else _async_client(server.url("/jwks"))
    )
    verifier = JWTVerifier(client, algorithms=["HS256"])

    def decode(token: str) -> Any:
        if kind == "sync":
            return verifier.decode(token)
        return asyncio.run(verifier.decode_async(token))

    token_b = _token("key-b", SECRET_B)
    token_a = _token("key-a", SECRET_A)
    assert decode(token_b)["sub"] == "42"
    assert decode(token_b)["sub"] == "42"  # now a cache hit
    assert decode(token_a)["sub"] == "42"
    _expire(client, 301)  # the set's lifespan is over: the next lookup downloads
    with pytest.raises(PyJWKClientError, match='matches: "key-b"'):
        decode(token_b)
    assert decode(token_a)["sub"] == "42"
    assert server.hits("/jwks") == 2


def test_a_rotated_key_under_the_same_kid(server: _Server) -> None:
    rotated = {"keys": [_oct("key-a", SECRET_B)]}
    server.json("/jwks", SET_A, rotated)
    client = PyJWKClient(server.url("/jwks"), timeout=5)
    verifier = JWTVerifier(client, algorithms=["HS256"])
    old = _token("key-a", SECRET_A)
    verifier.decode(old)
    verifier.decode(old)
    _expire(client, 301)
    with pytest.raises(InvalidSignatureError):
        verifier.decode(old)
    assert verifier.decode(_token("key-a", SECRET_B))["sub"] == "42"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_tokens_without_kid_against_a_served_set(server: _Server, kind: str) -> None:
    server.json(
        "/jwks",
        {"keys": [_oct(None, SECRET_A), _oct("b", SECRET_B), _oct("x", b"y" * 32, use="enc")]},
    )
    client: Any = (
        PyJWKClient(server.url("/jwks"), timeout=5)
        if kind == "sync"
        else _async_client(server.url("/jwks"))
    )
    verifier = JWTVerifier(client, algorithms=["HS256"])

    def decode(token: str) -> Any:
        if kind == "sync":
            return verifier.decode(token)
        return asyncio.run(verifier.decode_async(token))

    for _ in range(2):
        assert decode(_token(None, SECRET_A))["sub"] == "42"
        assert decode(_token(None, SECRET_B))["sub"] == "42"
    with pytest.raises(InvalidSignatureError):
        decode(_token(None, b"y" * 32))  # an encryption key is never tried
    assert server.hits("/jwks") == 1


# --------------------------------------------------------------------------
# stale_if_error and refresh_ahead
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_server_down_serves_stale_keys_then_fails_clearly(
    server: _Server, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.json("/jwks", SET_A)
    client: Any = (
        PyJWKClient(server.url("/jwks"), timeout=5, stale_if_error=60)
        if kind == "sync"
        else _async_client(server.url("/jwks"), stale_if_error=60)
    )
    verifier = JWTVerifier(client, algorithms=["HS256"], cache_size=0)

    def decode(token: str) -> Any:
        if kind == "sync":
            return verifier.decode(token)
        return asyncio.run(verifier.decode_async(token))

    token = _token("key-a", SECRET_A)
    assert decode(token)["sub"] == "42"
    server.routes["/jwks"] = lambda: (503, {}, b"down")
    _expire(client, 330)  # past the lifespan, within stale_if_error
    with caplog.at_level(logging.WARNING, logger="cyjwt.jwks"):
        assert decode(token)["sub"] == "42"
    assert any("serving the last good key set" in r.getMessage() for r in caplog.records)
    hits = server.hits("/jwks")
    for _ in range(5):  # within the cooldown the failing endpoint is not asked again
        assert decode(token)["sub"] == "42"
    assert server.hits("/jwks") == hits == 2
    _expire(client, 60)  # past lifespan + stale_if_error
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
        decode(token)


def test_without_stale_if_error_a_failure_is_raised(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = PyJWKClient(server.url("/jwks"), timeout=5)
    client.get_jwk_set()
    server.routes["/jwks"] = lambda: (503, {}, b"down")
    _expire(client, 301)
    with pytest.raises(PyJWKClientConnectionError):
        client.get_jwk_set()


def test_refresh_ahead_in_the_background(server: _Server) -> None:
    server.json("/jwks", SET_A, SET_AB)
    client = _async_client(server.url("/jwks"), refresh_ahead=30)
    verifier = JWTVerifier(client, algorithms=["HS256"])
    token = _token("key-a", SECRET_A)

    async def run() -> None:
        assert (await verifier.decode_async(token))["sub"] == "42"
        first = client.jwk_set_cache.get()  # type: ignore[union-attr]
        _expire(client, 280)  # 20 s left: within refresh_ahead
        assert (await verifier.decode_async(token))["sub"] == "42"  # served now
        for _ in range(500):
            if client.jwk_set_cache.get() is not first:  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.01)
        assert client.jwk_set_cache.get() is not first  # type: ignore[union-attr]
        assert (await client.get_signing_key("key-b")).key_id == "key-b"

    asyncio.run(run())
    assert server.hits("/jwks") == 2


def test_refresh_ahead_sync(server: _Server) -> None:
    server.json("/jwks", SET_A, SET_AB)
    client = PyJWKClient(server.url("/jwks"), timeout=5, refresh_ahead=30)
    first = client.get_jwk_set()
    _expire(client, 280)
    assert client.get_jwk_set() is first  # served while the refresh runs
    deadline = time.monotonic() + 10
    while client.get_jwk_set() is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.get_signing_key("key-b").key_id == "key-b"
    assert server.hits("/jwks") == 2


def test_sync_single_flight_on_expiry(server: _Server) -> None:
    gate = threading.Event()

    def slow() -> tuple[int, dict[str, str], bytes]:
        gate.wait(timeout=5)
        return 200, {}, json.dumps(SET_A).encode()

    server.json("/jwks", SET_A)
    client = PyJWKClient(server.url("/jwks"), timeout=5)
    client.get_jwk_set()
    server.routes["/jwks"] = slow
    _expire(client, 301)
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(client.get_jwk_set())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while server.hits("/jwks") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert server.hits("/jwks") == 2


def test_many_threads_and_loops_share_one_async_client(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    verifier = JWTVerifier(_async_client(server.url("/jwks")), algorithms=["HS256"])
    tokens = [_token("key-a", SECRET_A, n=n) for n in range(5)] + [_token("key-b", SECRET_B)]
    errors: list[BaseException] = []

    def worker() -> None:
        async def run() -> None:
            for _ in range(20):
                results = await asyncio.gather(*(verifier.decode_async(t) for t in tokens))
                assert [r["sub"] for r in results] == ["42"] * len(tokens)

        try:
            asyncio.run(run())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert 1 <= server.hits("/jwks") <= 4  # at most one per event loop


# --------------------------------------------------------------------------
# httpx (optional extra)
# --------------------------------------------------------------------------


def test_httpx_client(server: _Server) -> None:
    httpx = pytest.importorskip("httpx")
    server.json("/jwks", SET_AB)
    server.routes["/moved"] = lambda: (302, {"Location": server.url("/jwks")}, b"")
    server.routes["/gone"] = lambda: (404, {}, b"")
    server.routes["/big"] = lambda: (200, {}, b" " * 2000)

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            client = _async_client(server.url("/jwks"), http_client=http, headers={"X-Test": "2"})
            verifier = JWTVerifier(client, algorithms=["HS256"])
            assert (await verifier.decode_async(_token("key-b", SECRET_B)))["sub"] == "42"
            for path, message in (
                ("/moved", 'Fail to fetch data from the url, err: "HTTP Error 302: Found"'),
                ("/gone", 'Fail to fetch data from the url, err: "HTTP Error 404: Not Found"'),
            ):
                other = _async_client(server.url(path), http_client=http)
                with pytest.raises(PyJWKClientConnectionError) as info:
                    await other.fetch_data()
                assert str(info.value) == message
            big = _async_client(server.url("/big"), http_client=http, max_response_size=1000)
            with pytest.raises(PyJWKClientConnectionError, match="larger than 1000 bytes"):
                await big.fetch_data()

    asyncio.run(run())
    assert server.hits("/jwks") == 1
    assert server.requests[0][1].get("X-Test") == "2"


def test_decode_async_with_a_blocking_client_keeps_the_loop_free(server: _Server) -> None:
    gate = threading.Event()

    def blocked() -> tuple[int, dict[str, str], bytes]:
        gate.wait(timeout=10)
        return 200, {}, json.dumps(SET_A).encode()

    server.routes["/jwks"] = blocked
    verifier = JWTVerifier(PyJWKClient(server.url("/jwks"), timeout=5), algorithms=["HS256"])
    token = _token("key-a", SECRET_A)

    async def run() -> None:
        pending = asyncio.ensure_future(verifier.decode_async(token))
        while not server.hits("/jwks"):  # would hang if the download blocked the loop
            await asyncio.sleep(0.001)
        for _ in range(10):
            await asyncio.sleep(0.001)
        assert not pending.done()
        gate.set()
        assert (await pending)["sub"] == "42"

    asyncio.run(asyncio.wait_for(run(), timeout=30))
    assert server.hits("/jwks") == 1


def test_a_cancelled_caller_does_not_cancel_the_shared_download(server: _Server) -> None:
    gate = threading.Event()

    def slow() -> tuple[int, dict[str, str], bytes]:
        gate.wait(timeout=10)
        return 200, {}, json.dumps(SET_A).encode()

    server.routes["/jwks"] = slow
    client = _async_client(server.url("/jwks"))

    async def run() -> None:
        first = asyncio.ensure_future(client.get_signing_key("key-a"))
        second = asyncio.ensure_future(client.get_signing_key("key-a"))
        while not server.hits("/jwks"):
            await asyncio.sleep(0.001)
        first.cancel()
        gate.set()
        assert (await second).key_id == "key-a"
        with pytest.raises(asyncio.CancelledError):
            await first

    asyncio.run(asyncio.wait_for(run(), timeout=30))
    assert server.hits("/jwks") == 1
