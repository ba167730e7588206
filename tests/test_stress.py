"""Eight threads sharing the caches, every single result checked.

The caches under load: the HMAC key states (256 per hash in the compiled
core), the loaded PEM keys (128, ``api_jws._PREPARED_KEYS_MAX``), the encode
side's header segments (256) and the decode side's last header.  The jobs
use more keys and more distinct headers than those hold, so entries are
dropped and rebuilt while other threads read them: 300 HMAC keys per hash
(given as str and as bytes), 150 Ed25519 and 20 P-256 key pairs as PEM text,
a different ``kid`` per key; valid tokens, bad signatures, expired tokens,
wrong audiences, refused algorithms, encodes and header reads, shuffled
differently in each thread.  Every expected result is built here from the
standard library and ``cryptography``, not by cyjwt.

Runs on whatever core ``cyjwt._core`` chose (the README's test command runs
the suite with each); CI runs it on the free-threaded 3.14t build too, with
the GIL disabled.  The switch interval is made tiny so that GIL builds
interleave the threads often.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import sys
import threading
import time
import types
from functools import partial
from typing import Any, Callable

import pytest

import cyjwt
from cyjwt import exceptions as exc

THREADS = 8
HMAC_KEYS = 300  # per hash; the compiled core keeps 256
ED25519_KEYS = 150  # with the 20 P-256 ones, public and private: > 128 kept
EC_KEYS = 20
NOW = int(time.time())
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

Expected = tuple[Any, ...]
Job = tuple[str, Callable[[], Any], Expected]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signing_input(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """As PyJWT writes it: sorted header keys, compact JSON."""
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    return f"{b64(head)}.{b64(json.dumps(claims, separators=(',', ':')).encode())}"


def ok(value: Any) -> Expected:
    return ("ok", value)


def error(cls: type[BaseException], message: str) -> Expected:
    return ("error", cls, message)


def hmac_jobs() -> list[Job]:
    jobs: list[Job] = []
    for alg, digest in HASHES.items():
        texts = [f"stress {alg} key {i:03d} ".ljust(64, "k") for i in range(HMAC_KEYS)]
        for i, text in enumerate(texts):
            key: str | bytes = text if i % 2 else text.encode()
            other = texts[(i + 1) % HMAC_KEYS]
            kid = f"{alg}-{i}"
            header = {"alg": alg, "kid": kid, "typ": "JWT"}
            claims = {"sub": str(i), "exp": NOW + 3600, "aud": "api"}
            stale = {"sub": str(i), "exp": NOW - 3600, "aud": "api"}

            def token(c: dict[str, Any], k: str = text) -> str:
                s = signing_input(header, c)
                return f"{s}.{b64(hmac.new(k.encode(), s.encode(), digest).digest())}"

            good = token(claims)
            head, _, sig = good.rpartition(".")
            refused = "HS384" if alg != "HS384" else "HS512"

            def dec(
                t: str, k: Any = key, aud: str = "api", algs: tuple[str, ...] = (alg,)
            ) -> Callable[[], Any]:
                return partial(cyjwt.decode, t, k, algorithms=list(algs), audience=aud)

            jobs += [
                (f"{kid} valid", dec(good), ok(claims)),
                (
                    f"{kid} complete",
                    partial(cyjwt.decode_complete, good, key, algorithms=[alg], audience="api"),
                    ok(
                        {
                            "header": header,
                            "payload": claims,
                            "signature": base64.urlsafe_b64decode(sig + "=="),
                        }
                    ),
                ),
                (
                    f"{kid} other key",
                    dec(good, other),
                    error(exc.InvalidSignatureError, "Signature verification failed"),
                ),
                (
                    f"{kid} expired",
                    dec(token(stale)),
                    error(exc.ExpiredSignatureError, "Signature has expired"),
                ),
                (
                    f"{kid} audience",
                    dec(good, aud="web"),
                    error(exc.InvalidAudienceError, "Audience doesn't match"),
                ),
                (
                    f"{kid} refused alg",
                    dec(good, algs=(refused,)),
                    error(exc.InvalidAlgorithmError, "The specified alg value is not allowed"),
                ),
                (
                    f"{kid} encode",
                    partial(cyjwt.encode, claims, key, algorithm=alg, headers={"kid": kid}),
                    ok(good),
                ),
                (f"{kid} header", partial(cyjwt.get_unverified_header, good), ok(header)),
            ]
            assert head  # the signing input is not empty
    return jobs


def pem_jobs() -> list[Job]:
    """EdDSA and ES256 with keys given as PEM text (str and bytes)."""
    crypto = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    enc = crypto.Encoding.PEM
    jobs: list[Job] = []
    pairs: list[tuple[Any, str]] = [
        (ed25519.Ed25519PrivateKey.generate(), "EdDSA") for _ in range(ED25519_KEYS)
    ]
    pairs += [(ec.generate_private_key(ec.SECP256R1()), "ES256") for _ in range(EC_KEYS)]
    publics = [
        priv.public_key().public_bytes(enc, crypto.PublicFormat.SubjectPublicKeyInfo)
        for priv, _ in pairs
    ]
    for i, (priv, alg) in enumerate(pairs):
        public: str | bytes = publics[i].decode() if i % 2 else publics[i]
        first, size = (0, ED25519_KEYS) if alg == "EdDSA" else (ED25519_KEYS, EC_KEYS)
        other = publics[first + (i - first + 1) % size]  # same family, another key
        kid = f"{alg}-{i}"
        header = {"alg": alg, "kid": kid, "typ": "JWT"}
        claims = {"sub": str(i), "exp": NOW + 3600}
        s = signing_input(header, claims)
        if alg == "EdDSA":
            raw = priv.sign(s.encode())
        else:
            r, t = decode_dss_signature(priv.sign(s.encode(), ec.ECDSA(hashes.SHA256())))
            raw = r.to_bytes(32, "big") + t.to_bytes(32, "big")
        good = f"{s}.{b64(raw)}"
        jobs += [
            (
                f"{kid} valid",
                partial(cyjwt.decode, good, public, algorithms=[alg]),
                ok(claims),
            ),
            (
                f"{kid} other key",
                partial(cyjwt.decode, good, other, algorithms=[alg]),
                error(exc.InvalidSignatureError, "Signature verification failed"),
            ),
        ]
        if alg == "EdDSA":  # deterministic signatures: the token is known
            private = priv.private_bytes(
                enc, crypto.PrivateFormat.PKCS8, crypto.NoEncryption()
            ).decode()
            jobs.append(
                (
                    f"{kid} encode",
                    partial(cyjwt.encode, claims, private, algorithm="EdDSA", headers={"kid": kid}),
                    ok(good),
                )
            )
    return jobs


def run_threads(jobs: list[Job], rounds: int = 1) -> tuple[int, list[str]]:
    """Run every job in every thread, each thread in its own order."""
    failures: list[str] = []
    done = [0] * THREADS
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def check(name: str, call: Callable[[], Any], expected: Expected) -> str | None:
        try:
            got: Expected = ok(call())
        except Exception as err:  # compared with what was expected below
            got = ("error", type(err), str(err))
        if got == expected:
            return None
        return f"{name}: got {got!r}, expected {expected!r}"

    def worker(n: int) -> None:
        order = list(range(len(jobs))) * rounds
        random.Random(n).shuffle(order)
        start.wait()
        try:
            for index in order:
                problem = check(*jobs[index])
                done[n] += 1
                if problem is not None:
                    with lock:
                        failures.append(f"thread {n}: {problem}")
        except BaseException as err:  # pragma: no cover - reported below
            with lock:
                failures.append(f"thread {n} died: {err!r}")

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "a stress thread hung"
    finally:
        sys.setswitchinterval(previous)
    return sum(done), failures


def test_threads_share_hmac_caches() -> None:
    jobs = hmac_jobs()
    cyjwt._core.clear_caches()  # before the threads: not to be called during them
    calls, failures = run_threads(jobs)
    assert not failures, "\n".join(failures[:20])
    assert calls == THREADS * len(jobs)


def test_threads_share_pem_cache() -> None:
    jobs = pem_jobs()
    calls, failures = run_threads(jobs)
    assert not failures, "\n".join(failures[:20])
    assert calls == THREADS * len(jobs)


def test_threads_mixed_hmac_and_pem() -> None:
    """Both families at once, the HMAC half thinned so that it stays short."""
    jobs = hmac_jobs()[::3] + pem_jobs()[::2]
    calls, failures = run_threads(jobs)
    assert not failures, "\n".join(failures[:20])
    assert calls == THREADS * len(jobs)


def test_threads_core_hmac(core: types.ModuleType) -> None:
    """The core's HMAC on both twins, long messages (hashed without the GIL
    in the compiled core) and short ones, against the standard library."""
    rng = random.Random(7)
    jobs: list[Job] = []
    for i in range(64):
        key = rng.randbytes(rng.choice([16, 64, 65, 200]))
        msg = rng.randbytes(rng.choice([0, 100, 20_000, 70_000]))
        name = rng.choice(["SHA256", "SHA384", "SHA512"])
        mac = hmac.digest(key, msg, name.lower())
        jobs += [
            (f"sign {i}", partial(core.hmac_sign, name, key, msg), ok(mac)),
            (
                f"verify {i}",
                partial(core.hmac_verify, name, key, msg, mac),
                ok(True),
            ),
            (
                f"refuse {i}",
                partial(core.hmac_verify, name, key, msg + b"!", mac),
                ok(False),
            ),
        ]
    calls, failures = run_threads(jobs, rounds=2)
    assert not failures, "\n".join(failures[:20])
    assert calls == THREADS * len(jobs) * 2


def test_gil_state_reported() -> None:
    """Says in the log whether this run had the GIL (the 3.14t job must not)."""
    enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"GIL enabled: {enabled}; core: {cyjwt._core.IMPLEMENTATION}")
