"""No memory growth over many failing (and succeeding) calls.

Each kind of call runs a warm-up (caches and free lists filled), then a
measured stretch, twice over:

* RSS (``/proc/self/statm``, Linux): 10^5 calls per kind on the compiled
  core; growth above 2 MiB (21 bytes a call) fails.  This sees memory the
  extension takes with ``malloc`` (and libcrypto), which tracemalloc does not.
  Measured in a fresh interpreter (this file run as a script), one kind
  after another: inside the test session, memory freed by earlier tests
  absorbs a leak of several MiB without RSS moving.
* tracemalloc: 10^4 calls per kind, on both cores; growth of the traced
  memory above 64 KiB (6.5 bytes a call) fails.  This sees every Python
  allocation exactly, the extension's included.  Measured here, the growth
  is 0 bytes for every kind, on both cores.

The pure twin makes no allocation of its own that tracemalloc does not see,
so its RSS check runs 2.5 x 10^4 calls per kind (seconds instead of half a
minute); a leak of a 50-byte object per call is still 9 times over the
tracemalloc bound.  The last two tests check that both bounds do catch
such a leak.

The API-level kinds go through whatever core ``cyjwt._core`` chose (the
README's test command runs the suite once more with CYJWT_NO_EXTENSIONS=1);
the core-level kinds run on both cores through the ``core`` fixture.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
import types
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import cyjwt
from cyjwt import exceptions as exc
from cyjwt._core import IMPLEMENTATION

KEY = "leak-check key, long enough for any HS* hash: 0123456789abcdef0123456789"
NOW = int(time.time())
RSS_LIMIT = 2 * 1024 * 1024
TRACED_LIMIT = 64 * 1024
TRACED_CALLS = 10_000


def rss_calls(implementation: str) -> int:
    return 100_000 if implementation == "cython" else 25_000


def _token(claims: dict[str, Any], key: str = KEY) -> str:
    return cyjwt.encode(claims, key, algorithm="HS256")


VALID = _token({"sub": "1", "exp": NOW + 10**6, "aud": "api", "iss": "me"})
HEADER_B64, PAYLOAD_B64, SIGNATURE = VALID.split(".")
BAD_SIGNATURE = ("A" if SIGNATURE[0] != "A" else "B") + SIGNATURE[1:]
# A valid signature over a payload that is not JSON.
BAD_JSON_PAYLOAD = cyjwt.api_jws.encode(b'{"a":', KEY, algorithm="HS256")


# RS256 with a key object: the compiled core verifies with libcrypto and
# a kept context (_core_asym.pxi), which a failure frees and replaces.
RSA_PRIVATE = rsa.generate_private_key(65537, 2048)
RSA_PUBLIC = RSA_PRIVATE.public_key()
RS256_VALID = cyjwt.encode({"sub": "1"}, RSA_PRIVATE, algorithm="RS256")
RS256_FORGED = RS256_VALID[:-4] + ("AAAA" if RS256_VALID[-4:] != "AAAA" else "BBBB")


def _decode(token: str, **kwargs: Any) -> Callable[[], Any]:
    def call() -> Any:
        return cyjwt.decode(token, KEY, algorithms=["HS256"], audience="api", **kwargs)

    return call


# kind: (call, the exception it must raise, or None)
API_KINDS: dict[str, tuple[Callable[[], Any], type[BaseException] | None]] = {
    "valid": (_decode(VALID), None),
    "valid_complete": (
        lambda: cyjwt.decode_complete(VALID, KEY, algorithms=["HS256"], audience="api"),
        None,
    ),
    "bad_signature": (
        _decode(f"{HEADER_B64}.{PAYLOAD_B64}.{BAD_SIGNATURE}"),
        exc.InvalidSignatureError,
    ),
    "bad_json_header": (_decode(f"eyJhbGci.{PAYLOAD_B64}.{SIGNATURE}"), exc.DecodeError),
    "bad_json_payload": (_decode(BAD_JSON_PAYLOAD), exc.DecodeError),
    "bad_base64": (_decode(f"{HEADER_B64}.{PAYLOAD_B64}.!!!!"), exc.DecodeError),
    "rs256_valid": (lambda: cyjwt.decode(RS256_VALID, RSA_PUBLIC, algorithms=["RS256"]), None),
    "rs256_bad_signature": (
        lambda: cyjwt.decode(RS256_FORGED, RSA_PUBLIC, algorithms=["RS256"]),
        exc.InvalidSignatureError,
    ),
    "expired": (_decode(_token({"exp": NOW - 10**6, "aud": "api"})), exc.ExpiredSignatureError),
    "wrong_audience": (_decode(_token({"aud": "web"})), exc.InvalidAudienceError),
    "missing_segments": (_decode("onlyonesegment"), exc.DecodeError),
    "algorithm_not_allowed": (
        lambda: cyjwt.decode(VALID, KEY, algorithms=["HS512"]),
        exc.InvalidAlgorithmError,
    ),
    "missing_claim": (
        lambda: cyjwt.decode(
            VALID, KEY, algorithms=["HS256"], audience="api", options={"require": ["jti"]}
        ),
        exc.MissingRequiredClaimError,
    ),
    "encode_valid": (lambda: cyjwt.encode({"sub": "1", "n": [1, 2.5]}, KEY), None),
    "encode_not_a_dict": (lambda: cyjwt.encode(["not", "a", "dict"], KEY), TypeError),  # type: ignore[arg-type]
    "encode_iss_not_str": (lambda: cyjwt.encode({"iss": 5}, KEY), TypeError),
    "encode_unknown_alg": (
        lambda: cyjwt.encode({"a": 1}, KEY, algorithm="HS999"),
        NotImplementedError,
    ),
}

# kind: (core function name, its arguments, the exception it must raise, or None)
CORE_KINDS: dict[str, tuple[str, tuple[Any, ...], type[BaseException] | None]] = {
    "segment_bad_padding": ("b64url_decode_segment", (b"Zg===", "header"), exc.DecodeError),
    "segment_bad_alphabet": ("b64url_decode_segment", (b"Zm9v!", "payload"), exc.DecodeError),
    "segment_long": ("b64url_decode_segment", (b"QUJD" * 200, "payload"), None),
    "split_missing": ("split_token", (b"a.b",), exc.DecodeError),
    "split_wrong_type": ("split_token", ("a.b.c",), TypeError),
    "json_invalid": ("json_loads", (b'{"a": [1, 2,',), ValueError),
    "json_long": ("json_loads", (b'{"k": "' + b"x" * 3000 + b'", "n": [1, 2.5, null]}',), None),
    "dumps_unsupported": ("json_dumps", ({"a": [1, {2, 3}]},), TypeError),
    "dumps_long": ("json_dumps", ({"k": "é" * 3000, "n": [1, 2.5, None]},), None),
    "hmac_mismatch": ("hmac_verify", ("SHA256", b"k" * 32, b"msg", b"\x00" * 32), None),
}


def _loop(call: Callable[[], Any], expected: type[BaseException] | None, n: int) -> None:
    if expected is None:
        for _ in range(n):
            call()
    else:
        for _ in range(n):
            try:
                call()
            except expected:
                pass


def _check_kind(call: Callable[[], Any], expected: type[BaseException] | None) -> None:
    """The call does what its kind says, so the loop measures that path."""
    if expected is None:
        call()
    else:
        with pytest.raises(expected):
            call()


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rss_growth(call: Callable[[], Any], expected: type[BaseException] | None, n: int) -> int:
    _loop(call, expected, n // 5)  # warm-up
    gc.collect()
    before = _rss()
    _loop(call, expected, n)
    gc.collect()
    return _rss() - before


def traced_growth(call: Callable[[], Any], expected: type[BaseException] | None, n: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        _loop(call, expected, n // 4)  # warm-up
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        _loop(call, expected, n)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


needs_statm = pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="RSS is read from /proc/self/statm (Linux)"
)
# ASan keeps freed memory in quarantine (hundreds of MiB): RSS means nothing there.
not_under_asan = pytest.mark.skipif(
    "asan" in os.environ.get("LD_PRELOAD", ""), reason="RSS is meaningless under ASan's quarantine"
)


def rss_report() -> dict[str, int]:
    """RSS growth of every kind, in this process: run by the tests below in
    a fresh interpreter (``python tests/test_leaks.py``), where no memory
    freed by earlier tests lies ready to absorb a leak.  The control (one
    50-byte object kept per call) runs last, so that its memory, freed when
    it ends, cannot hide anything either."""
    from cyjwt import _core_py

    results: dict[str, int] = {}
    for kind, (call, expected) in API_KINDS.items():
        _check_kind(call, expected)
        results[f"api/{kind}"] = rss_growth(call, expected, rss_calls(IMPLEMENTATION))
    cores = [_core_py]
    try:
        from cyjwt import _core_c

        cores.append(_core_c)
    except ImportError:  # pure-Python install
        pass
    for core in cores:
        for kind in CORE_KINDS:
            call, expected = _core_call(core, kind)
            _check_kind(call, expected)
            results[f"{core.IMPLEMENTATION}/{kind}"] = rss_growth(
                call, expected, rss_calls(core.IMPLEMENTATION)
            )
    kept: list[bytes] = []
    assert sys.getsizeof(os.urandom(17)) == 50
    results["control"] = rss_growth(lambda: kept.append(os.urandom(17)), None, 100_000)
    return results


@pytest.fixture(scope="module")
def rss_growths() -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, __file__],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=600,
    )
    report: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@needs_statm
@not_under_asan
@pytest.mark.parametrize("kind", list(API_KINDS))
def test_api_rss_flat(rss_growths: dict[str, int], kind: str) -> None:
    growth = rss_growths[f"api/{kind}"]
    assert growth < RSS_LIMIT, f"{kind}: RSS grew by {growth} bytes"


@pytest.mark.parametrize("kind", list(API_KINDS))
def test_api_traced_memory_flat(kind: str) -> None:
    call, expected = API_KINDS[kind]
    _check_kind(call, expected)
    growth = traced_growth(call, expected, TRACED_CALLS)
    assert growth < TRACED_LIMIT, (
        f"{kind}: traced memory grew by {growth} bytes over {TRACED_CALLS} calls"
    )


def _core_call(
    core: types.ModuleType, kind: str
) -> tuple[Callable[[], Any], type[BaseException] | None]:
    name, args, expected = CORE_KINDS[kind]
    func = getattr(core, name)
    return (lambda: func(*args)), expected


@needs_statm
@not_under_asan
@pytest.mark.parametrize("kind", list(CORE_KINDS))
def test_core_rss_flat(rss_growths: dict[str, int], core: types.ModuleType, kind: str) -> None:
    growth = rss_growths[f"{core.IMPLEMENTATION}/{kind}"]
    assert growth < RSS_LIMIT, f"{kind}: RSS grew by {growth} bytes"


@pytest.mark.parametrize("kind", list(CORE_KINDS))
def test_core_traced_memory_flat(core: types.ModuleType, kind: str) -> None:
    call, expected = _core_call(core, kind)
    _check_kind(call, expected)
    growth = traced_growth(call, expected, TRACED_CALLS)
    assert growth < TRACED_LIMIT, (
        f"{kind}: traced memory grew by {growth} bytes over {TRACED_CALLS} calls"
    )


@needs_statm
@not_under_asan
def test_rss_check_catches_a_small_leak(rss_growths: dict[str, int]) -> None:
    """The bound is tight enough: keeping one 50-byte object per call fails it."""
    assert rss_growths["control"] >= RSS_LIMIT, rss_growths["control"]


def test_traced_check_catches_a_small_leak() -> None:
    kept: list[bytes] = []

    def leaky() -> None:
        kept.append(os.urandom(17))

    assert traced_growth(leaky, None, TRACED_CALLS) >= TRACED_LIMIT


if __name__ == "__main__":
    print(json.dumps(rss_report()))
