"""cyjwt.jwk_set_cache.JWKSetCache: storing, parsing and expiring a JWK Set."""

from __future__ import annotations

from unittest import mock

import pytest

from cyjwt.api_jwk import PyJWKSet
from cyjwt.exceptions import PyJWKSetError
from cyjwt.jwk_set_cache import JWKSetCache

HMAC_KEYS = {
    "keys": [
        {
            "kty": "oct",
            "kid": "first",
            "use": "sig",
            "k": "c2VjcmV0LWtleS1udW1iZXItb25lLTMyLWJ5dGVzIQ",
        },
        {"kty": "oct", "kid": "second", "k": "YW5vdGhlci1zZWNyZXQta2V5LW9mLTMyLWJ5dGVzIQ"},
    ]
}

CLOCK = "cyjwt.jwk_set_cache.time.monotonic"


def _stored_at(cache: JWKSetCache) -> float:
    assert cache.jwk_set_with_timestamp is not None
    return cache.jwk_set_with_timestamp.get_timestamp()


def test_starts_empty() -> None:
    cache = JWKSetCache(lifespan=60)
    assert cache.lifespan == 60
    assert cache.jwk_set_with_timestamp is None
    assert cache.get() is None
    assert cache.is_expired() is False


def test_dict_is_parsed_on_put() -> None:
    cache = JWKSetCache(lifespan=60)
    cache.put(HMAC_KEYS)
    stored = cache.get()
    assert isinstance(stored, PyJWKSet)
    assert [key.key_id for key in stored.keys] == ["first", "second"]
    # The same parsed object comes back every time.
    assert cache.get() is stored


def test_parsed_set_is_kept_as_is() -> None:
    jwk_set = PyJWKSet.from_dict(HMAC_KEYS)
    cache = JWKSetCache(lifespan=60)
    cache.put(jwk_set)
    assert cache.get() is jwk_set


def test_put_none_empties_the_cache() -> None:
    cache = JWKSetCache(lifespan=60)
    cache.put(HMAC_KEYS)
    cache.put(None)
    assert cache.jwk_set_with_timestamp is None
    assert cache.get() is None


@pytest.mark.parametrize("value", [["not", "a", "mapping"], "keys", 42, b"{}"])
def test_put_rejects_other_types(value: object) -> None:
    cache = JWKSetCache(lifespan=60)
    cache.put(HMAC_KEYS)
    with pytest.raises(PyJWKSetError, match="^Invalid JWK Set value$"):
        cache.put(value)  # type: ignore[arg-type]
    # A rejected value leaves the previous entry alone.
    assert cache.get() is not None


def test_put_rejects_a_set_without_usable_keys() -> None:
    cache = JWKSetCache(lifespan=60)
    with pytest.raises(PyJWKSetError):
        cache.put({"keys": []})
    assert cache.get() is None


def test_entry_expires_strictly_after_lifespan() -> None:
    cache = JWKSetCache(lifespan=10)
    cache.put(HMAC_KEYS)
    start = _stored_at(cache)

    with mock.patch(CLOCK, return_value=start + 10):
        assert cache.is_expired() is False
        assert cache.get() is not None
    with mock.patch(CLOCK, return_value=start + 10.001):
        assert cache.is_expired() is True
        assert cache.get() is None
    # Expiry does not drop the entry; a later put refreshes it.
    assert cache.jwk_set_with_timestamp is not None


def test_put_restarts_the_clock() -> None:
    cache = JWKSetCache(lifespan=5)
    cache.put(HMAC_KEYS)
    first = _stored_at(cache)
    cache.put(HMAC_KEYS)
    assert _stored_at(cache) >= first


@pytest.mark.parametrize("lifespan", [-1, -1.5, -100])
def test_lifespan_of_minus_one_or_less_never_expires(lifespan: float) -> None:
    cache = JWKSetCache(lifespan=lifespan)
    cache.put(HMAC_KEYS)
    with mock.patch(CLOCK, return_value=_stored_at(cache) + 1e12) as clock:
        assert cache.is_expired() is False
        assert cache.get() is not None
    clock.assert_not_called()


def test_empty_cache_does_not_read_the_clock() -> None:
    cache = JWKSetCache(lifespan=5)
    with mock.patch(CLOCK) as clock:
        assert cache.is_expired() is False
        assert cache.get() is None
    clock.assert_not_called()


def test_zero_lifespan_expires_as_soon_as_time_moves() -> None:
    cache = JWKSetCache(lifespan=0)
    cache.put(HMAC_KEYS)
    start = _stored_at(cache)
    with mock.patch(CLOCK, return_value=start):
        assert cache.get() is not None
    with mock.patch(CLOCK, return_value=start + 1e-6):
        assert cache.get() is None
