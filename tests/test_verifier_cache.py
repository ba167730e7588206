"""The verifier's token cache and its bound fast path: the bound and the
second-chance eviction, first-seen entries (the key itself), threads, the
payload templates, the remembered header segments, and that the closures
JWTVerifier binds at construction give what its methods give.

Run under both cores (scripts/test.sh runs the suite again with
CYJWT_NO_EXTENSIONS=1).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

import cyjwt
from _observe import observe
from cyjwt import JWTVerifier, PyJWKSet, _token_cache
from cyjwt._token_cache import CachedToken, PendingToken, TokenCache
from test_differential import NOW

crypto = pytest.importorskip("cryptography")
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

RSA_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC = RSA_PRIVATE.public_key()
SECRET = "a-shared-secret-that-is-32-bytes"
POLICY: dict[str, Any] = {"audience": "api", "issuer": "iss"}
CLAIMS: dict[str, Any] = {
    "sub": "42",
    "aud": "api",
    "iss": "iss",
    "exp": NOW + 3600,
    "roles": ["a", "b"],
    "n": 1.5,
    "ok": True,
    "none": None,
}


def _hs(**extra: Any) -> str:
    return cyjwt.encode({**CLAIMS, **extra}, SECRET, algorithm="HS256")


def _rs(kid: str | None = "k1", **extra: Any) -> str:
    headers = None if kid is None else {"kid": kid}
    return cyjwt.encode({**CLAIMS, **extra}, RSA_PRIVATE, algorithm="RS256", headers=headers)


def _jwk_set(kid: str = "k1") -> PyJWKSet:
    jwk = cyjwt.algorithms.RSAAlgorithm.to_jwk(RSA_PUBLIC, as_dict=True)
    return PyJWKSet([{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}])


class _Counting:
    """Wraps the core's decode so that a verifier built while it is in
    place counts the decodes its bound closures make."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = cyjwt._core.jwt_decode_policy

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.real(*args)


@pytest.fixture
def counting() -> Iterator[_Counting]:
    counter = _Counting()
    with mock.patch.object(cyjwt._core, "jwt_decode_policy", counter):
        yield counter


# --------------------------------------------------------------------------
# TokenCache itself
# --------------------------------------------------------------------------


def test_the_bound_holds_and_unused_entries_leave_oldest_first() -> None:
    for size in (1, 2, 3, 31, 32, 33, 100):
        cache = TokenCache(size)
        for n in range(size * 5 + 7):
            cache.put(f"t{n}", object())
            assert len(cache) <= size
        kept = list(cache._entries)
        # Only the newest entries remain, in order, the newest included.
        assert kept[-1] == f"t{size * 5 + 6}"
        assert kept == sorted(kept, key=lambda t: int(t[1:]))
        assert all(int(t[1:]) >= size * 5 + 7 - size for t in kept)


def test_used_entries_get_a_second_chance() -> None:
    cache = TokenCache(4)
    hot = CachedToken(object(), float("inf"))
    cache.put("hot", hot)
    for n in range(50):
        hot.used = True  # a hit between any two stores
        cache.put(f"cold{n}", object())
        assert cache.get("hot") is hot
        assert len(cache) <= 4
    # Unused, it leaves like any other entry.
    for n in range(50, 60):
        cache.put(f"cold{n}", object())
    assert cache.get("hot") is None


def test_first_seen_entries_are_the_key_and_become_pending_on_inspection() -> None:
    cache = TokenCache(8)
    key = object()
    token = _hs()
    cache.remember(token, key, dict(CLAIMS))
    assert cache._entries[token] is key  # nothing else is allocated
    pending = cache.get(token)
    assert isinstance(pending, PendingToken)
    assert pending.key is key and pending.expires == NOW + 3600
    assert cache.get(token) is pending  # the same object from now on
    assert len(cache) == 1


def test_remember_refuses_what_cannot_be_cached() -> None:
    cache = TokenCache(8)
    for payload in ({"exp": "never"}, {"exp": None}, {"exp": float("inf")}, {"exp": [1]}):
        cache.remember("token", object(), payload)
        assert len(cache) == 0
    cache.remember("x" * (_token_cache.MAX_CACHED_TOKEN_LENGTH + 1), object(), {})
    assert len(cache) == 0
    cache.remember("x" * _token_cache.MAX_CACHED_TOKEN_LENGTH, object(), {"exp": 1.5})
    assert len(cache) == 1


def test_discard_and_replace_only_touch_the_entry_given() -> None:
    cache = TokenCache(8)
    first, second = object(), object()
    cache.put("t", first)
    cache.discard("t", second)
    assert cache._entries["t"] is first
    cache.replace("t", second, object())
    assert cache._entries["t"] is first
    cache.replace("t", first, second)
    assert cache._entries["t"] is second
    cache.discard("t", second)
    assert len(cache) == 0
    cache.discard("t", second)  # already gone: nothing happens
    with pytest.raises(ValueError):
        TokenCache(0)


def test_payload_copies() -> None:
    assert _token_cache.payload_copies({"a": 1, "b": "x", "c": None, "d": 1.5}) == ()
    assert _token_cache.payload_copies({"a": [1, "x"], "b": True, "c": []}) == ("a", "c")
    assert _token_cache.payload_copies({"a": {"b": 1}}) is None
    assert _token_cache.payload_copies({"a": [[1]]}) is None
    assert _token_cache.payload_copies({"a": [{"b": 1}]}) is None


@pytest.mark.parametrize("free_threaded", [False, True])
def test_threads_share_one_cache(free_threaded: bool) -> None:
    with mock.patch.object(_token_cache, "FREE_THREADED", free_threaded):
        cache = TokenCache(16)
    assert (cache._lock is not None) is free_threaded
    keys = [object() for _ in range(4)]
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        try:
            for n in range(3000):
                token = f"t{(seed * 7919 + n * 31) % 200}"
                entry = cache._entries.get(token)
                if n % 5 == 0 and entry is not None:
                    cache.discard(token, entry)
                elif n % 7 == 0 and entry is not None:
                    done = CachedToken(entry, float("inf"))
                    cache.replace(token, entry, done)
                elif n % 11 == 0:
                    cache.clear()
                else:
                    cache.put(token, keys[n % 4])
                assert len(cache) <= 16 + 8  # another thread may be mid-store
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(cache) <= 16
    for entry in cache._entries.values():
        assert entry in keys or type(entry) is CachedToken


# --------------------------------------------------------------------------
# The verifier's bound closures
# --------------------------------------------------------------------------


def test_decode_is_bound_for_plain_verifiers_only() -> None:
    plain = JWTVerifier(RSA_PUBLIC, algorithms=["RS256"], **POLICY)
    assert "decode" in vars(plain) and "decode_complete" in vars(plain)

    class Sub(JWTVerifier):
        pass

    assert "decode" not in vars(Sub(RSA_PUBLIC, algorithms=["RS256"]))
    # A str for algorithms: no ClaimPolicy, the general path every time.
    no_policy = JWTVerifier(RSA_PUBLIC, algorithms="RS256", **POLICY)
    assert "decode" not in vars(no_policy)
    assert no_policy.decode(_rs()) == plain.decode(_rs()) == CLAIMS


@pytest.mark.parametrize("keys", ["one", "set", "mapping"])
def test_a_hit_makes_no_decode(keys: str, counting: _Counting) -> None:
    source: Any = {"one": RSA_PUBLIC, "set": _jwk_set(), "mapping": {"k1": RSA_PUBLIC}}[keys]
    verifier = JWTVerifier(source, algorithms=["RS256"], **POLICY)
    token = _rs()
    for _ in range(4):
        assert verifier.decode(token) == CLAIMS
        complete = verifier.decode_complete(token)
        assert complete["payload"] == CLAIMS and complete["header"]["kid"] == "k1"
    assert counting.calls == 1  # the first decode; every later call a hit


def test_hmac_tokens_are_cached_by_default(counting: _Counting) -> None:
    verifier = JWTVerifier(SECRET, algorithms=["HS256"], **POLICY)
    token = _hs()
    for _ in range(3):
        assert verifier.decode(token) == cyjwt.decode(token, SECRET, algorithms=["HS256"], **POLICY)
    assert counting.calls == 1
    off = JWTVerifier(SECRET, algorithms=["HS256"], cache_size=0, **POLICY)
    for _ in range(3):
        assert off.decode(token) == CLAIMS
    assert counting.calls == 4


def test_first_seen_entries_never_outlive_exp(counting: _Counting) -> None:
    verifier = JWTVerifier(SECRET, algorithms=["HS256"], options={"verify_exp": False}, **POLICY)
    token = _hs(exp=NOW + 60)
    verifier.decode(token)
    assert verifier._cache is not None and verifier._cache._entries[token] == SECRET
    with mock.patch("cyjwt.verifier.time") as clock:
        clock.time.return_value = NOW + 61
        assert verifier.decode(token)["exp"] == NOW + 60
    assert counting.calls == 2  # verified again, not served


def test_hot_tokens_survive_a_flood_of_new_ones(counting: _Counting) -> None:
    verifier = JWTVerifier(SECRET, algorithms=["HS256"], cache_size=8, **POLICY)
    hot = _hs(jti="hot")
    verifier.decode(hot)
    verifier.decode(hot)  # its first repeat: complete
    calls = counting.calls
    for n in range(100):
        verifier.decode(_hs(jti=str(n)))
        assert verifier.decode(hot) == {**CLAIMS, "jti": "hot"}
    assert counting.calls == calls + 100  # only the new ones were decoded
    assert verifier._cache is not None and len(verifier._cache) <= 8


def test_hits_give_fresh_payloads(counting: _Counting) -> None:
    verifier = JWTVerifier(RSA_PUBLIC, algorithms=["RS256"], **POLICY)
    for extra in ({}, {"nested": {"a": [1, {"b": 2}]}}, {"grid": [[1, 2], [3]]}):
        token = _rs(**extra)
        expected = cyjwt.decode(token, RSA_PUBLIC, algorithms=["RS256"], **POLICY)
        for _ in range(3):
            got = verifier.decode(token)
            assert got == expected
            got["roles"].append("admin")
            got["sub"] = "0"
            for value in got.values():
                if isinstance(value, dict):
                    value.clear()
                elif isinstance(value, list) and value and isinstance(value[0], list):
                    value[0].append(99)
            complete = verifier.decode_complete(token)
            assert complete == cyjwt.decode_complete(
                token, RSA_PUBLIC, algorithms=["RS256"], **POLICY
            )
            complete["header"]["alg"] = "none"
    entry = verifier._cache._entries[_rs()] if verifier._cache is not None else None
    assert type(entry) is CachedToken and entry.payload is not None  # a template
    assert entry.copies == ("roles",)


def test_free_threaded_stores_take_the_lock(counting: _Counting) -> None:
    with mock.patch.object(_token_cache, "FREE_THREADED", True):
        verifier = JWTVerifier(RSA_PUBLIC, algorithms=["RS256"], cache_size=2, **POLICY)
    assert verifier._cache is not None and verifier._cache._lock is not None
    tokens = [_rs(jti=str(n)) for n in range(4)]
    for n, token in enumerate(tokens + tokens + tokens):
        assert verifier.decode(token)["jti"] == str(n % 4)
        assert len(verifier._cache) <= 2
    assert verifier.decode(tokens[3]) == verifier.decode(tokens[3])
    assert counting.calls == 12  # each token seen twice in a row at most once


# --------------------------------------------------------------------------
# Remembered header segments (a JWK Set, a client's fresh set)
# --------------------------------------------------------------------------


def _malformed(token: str) -> list[str]:
    head, body, sig = token.split(".")
    return [
        f"{head}.{body[:-1]}.{sig}",  # payload: bad length
        f"{head}.{body}!.{sig}",  # payload: not base64url
        f"{head}.{body}.{sig}.x",  # four segments
        f"{head}.{body}.",  # no signature
        f"{head}.{body}.{sig[:-2]}",  # wrong signature
        f"{head}.{body}.{sig}=",  # padded signature
        f"{head}..{sig}",  # empty payload
        f"{head}.",  # two segments
        head,  # one segment
    ]


def test_a_remembered_header_fails_malformed_tokens_as_decode_does() -> None:
    jwk_set = _jwk_set()
    jwk = jwk_set["k1"]
    for cache_size in (0, 16):
        verifier = JWTVerifier(jwk_set, algorithms=["RS256"], cache_size=cache_size, **POLICY)
        good = _rs()
        assert verifier.decode(good) == CLAIMS  # its header segment is remembered
        assert verifier._headers
        for bad in _malformed(good) + [_rs(exp=NOW - 10), _rs(aud="other")]:
            for as_bytes in (False, True):
                token: Any = bad.encode() if as_bytes else bad
                expected = observe(cyjwt.decode, token, jwk, algorithms=["RS256"], **POLICY)
                assert observe(verifier.decode, token) == expected
                assert observe(verifier.decode, token) == expected


def test_a_remembered_header_still_needs_its_kid() -> None:
    jwk_set = _jwk_set("k1")
    verifier = JWTVerifier(jwk_set, algorithms=["RS256"], **POLICY)
    assert verifier.decode(_rs("k1")) == CLAIMS
    # The same kid elsewhere: the mapping is read on every call.
    keys = {"k1": RSA_PUBLIC}
    by_mapping = JWTVerifier(keys, algorithms=["RS256"], **POLICY)
    assert by_mapping.decode(_rs("k1")) == CLAIMS
    del keys["k1"]
    with pytest.raises(cyjwt.PyJWKClientError, match='matches: "k1"'):
        by_mapping.decode(_rs("k1", jti="new"))
    # A set without the kid: the header is read, the error is the client's.
    other = JWTVerifier(_jwk_set("k2"), algorithms=["RS256"], **POLICY)
    for _ in range(2):
        with pytest.raises(cyjwt.PyJWKClientError, match='matches: "k1"'):
            other.decode(_rs("k1"))


def test_the_header_table_is_bounded() -> None:
    verifier = JWTVerifier(_jwk_set(), algorithms=["RS256"], cache_size=0, **POLICY)
    for n in range(200):
        token = cyjwt.encode(CLAIMS, RSA_PRIVATE, algorithm="RS256", headers={"kid": "k1", "n": n})
        assert verifier.decode(token) == CLAIMS
        assert verifier._headers is not None and len(verifier._headers) <= 64


def test_an_inspected_entry_still_serves_hits(counting: _Counting) -> None:
    verifier = JWTVerifier(RSA_PUBLIC, algorithms=["RS256"], **POLICY)
    token = _rs()
    verifier.decode(token)
    assert verifier._cache is not None
    pending = verifier._cache.get(token)  # the key becomes a PendingToken
    assert isinstance(pending, PendingToken) and pending.key is RSA_PUBLIC
    assert verifier.decode(token) == CLAIMS  # completed from it: a hit
    assert verifier.decode_complete(token)["payload"] == CLAIMS
    assert counting.calls == 1
    assert type(verifier._cache.get(token)) is CachedToken


@pytest.mark.parametrize("keys", ["one", "set"])
def test_decode_async_shares_the_cache(keys: str, counting: _Counting) -> None:
    source: Any = RSA_PUBLIC if keys == "one" else _jwk_set()
    verifier = JWTVerifier(source, algorithms=["RS256"], **POLICY)
    token = _rs()

    async def run() -> list[Any]:
        return [
            await verifier.decode_async(token),
            await verifier.decode_complete_async(token),
            verifier.decode(token),
            await verifier.decode_async(token),
        ]

    first, complete, sync, last = asyncio.run(run())
    assert first == sync == last == complete["payload"] == CLAIMS
    assert complete["header"] == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    assert counting.calls == 1  # decode_async goes through the methods, same cache
