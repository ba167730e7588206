"""JWTVerifier and AsyncPyJWKClient against the issue's targets.

    python -m benchmarks.verifier_bench [--rounds N] [--quick]

Part 1 times, interleaved and shuffled round by round in one process:

* a repeated RS256 token through a JWTVerifier with its cache, against
  PyJWT's ``jwt.decode`` with the same key object and against cyjwt's own
  HS256 ``decode`` of the same claims;
* first-seen RS256 tokens through a JWTVerifier, with one key object and
  with the key by ``kid`` from a JWK Set (and cyjwt's ``decode`` of the same
  tokens), against the raw ``cryptography`` verify of a token's signature
  (its padding and hash objects built once);
* a repeated HS256 token through a JWTVerifier (a cache hit), against
  PyJWT's decode; and first-seen HS256 tokens through a JWTVerifier (a
  miss, the decode and the store) and through cyjwt's ``decode``, which
  say what remembering a token costs when it is never seen again.

Each ratio is taken within a round; the medians of the per-call times and
of the ratios are printed.  Part 2 starts a JWKS server on 127.0.0.1 whose
answer takes 2 seconds, fires 1,000 concurrent ``decode_async`` calls for a
token whose ``kid`` the verifier has not seen, and reports the number of
HTTP requests and the worst event-loop lag measured by a 1 ms ticker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import cyjwt

perf = time.perf_counter


def _claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": "user-1234567890",
        "name": "Benchmark User",
        "iss": "https://issuer.example",
        "aud": "api://gateway",
        "iat": now,
        "nbf": now,
        "exp": now + 86400,
        "jti": "4f1c2a9e-7d3b-4c55-9a1e-2b7f3c8d9e01",
        "scope": "read write",
        "roles": ["reader", "writer"],
    }


POLICY: dict[str, Any] = {"audience": "api://gateway", "issuer": "https://issuer.example"}


def _time_per_call(fn: Callable[[], Any], number: int) -> float:
    start = perf()
    for _ in range(number):
        fn()
    return (perf() - start) / number


def part1(rounds: int, number: int) -> None:
    import jwt as pyjwt
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    secret = b"benchmark-secret-of-32-bytes-len"
    claims = _claims()
    rs_token = cyjwt.encode(claims, private, algorithm="RS256")
    hs_token = cyjwt.encode(claims, secret, algorithm="HS256")
    signing_input, _, sig_segment = rs_token.encode().rpartition(b".")
    signature = cyjwt.utils.base64url_decode(sig_segment)
    pool = [
        cyjwt.encode({**claims, "jti": str(n)}, private, algorithm="RS256") for n in range(number)
    ]

    rs_verifier = cyjwt.JWTVerifier(public, algorithms=["RS256"], **POLICY)
    hs_verifier = cyjwt.JWTVerifier(secret, algorithms=["HS256"], **POLICY)
    # The answers are checked before anything is timed.
    assert rs_verifier.decode(rs_token) == claims == hs_verifier.decode(hs_token)
    assert pyjwt.decode(rs_token, public, algorithms=["RS256"], **POLICY) == claims

    jwk = cyjwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
    jwk_set = cyjwt.PyJWKSet([{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}])
    hs_pool = [
        cyjwt.encode({**claims, "jti": str(n)}, secret, algorithm="HS256") for n in range(number)
    ]
    kid_pool = [
        cyjwt.encode({**claims, "jti": str(n)}, private, algorithm="RS256", headers={"kid": "k1"})
        for n in range(number)
    ]

    def first_seen() -> Callable[[], Any]:
        verifier = cyjwt.JWTVerifier(public, algorithms=["RS256"], **POLICY)
        tokens = iter(pool)
        return lambda: verifier.decode(next(tokens))

    def first_seen_jwks() -> Callable[[], Any]:
        verifier = cyjwt.JWTVerifier(jwk_set, algorithms=["RS256"], **POLICY)
        tokens = iter(kid_pool)
        return lambda: verifier.decode(next(tokens))

    def hs_first_seen() -> Callable[[], Any]:
        verifier = cyjwt.JWTVerifier(secret, algorithms=["HS256"], **POLICY)
        tokens = iter(hs_pool)
        return lambda: verifier.decode(next(tokens))

    def cyjwt_hs_first_seen() -> Callable[[], Any]:
        tokens = iter(hs_pool)
        return lambda: cyjwt.decode(next(tokens), secret, algorithms=["HS256"], **POLICY)

    def cyjwt_first_seen() -> Callable[[], Any]:
        tokens = iter(pool)
        return lambda: cyjwt.decode(next(tokens), public, algorithms=["RS256"], **POLICY)

    # The padding and hash objects built once, as a careful caller would.
    pkcs1v15, sha256 = padding.PKCS1v15(), hashes.SHA256()

    def raw_verify() -> None:
        public.verify(signature, signing_input, pkcs1v15, sha256)

    cases: dict[str, Callable[[], Callable[[], Any]]] = {
        "verifier RS256 repeated (cache)": lambda: lambda: rs_verifier.decode(rs_token),
        "PyJWT RS256 decode (key object)": lambda: (
            lambda: pyjwt.decode(rs_token, public, algorithms=["RS256"], **POLICY)
        ),
        "cyjwt HS256 decode": lambda: (
            lambda: cyjwt.decode(hs_token, secret, algorithms=["HS256"], **POLICY)
        ),
        "verifier RS256 first seen": first_seen,
        "verifier RS256 first seen, JWK Set": first_seen_jwks,
        "cyjwt RS256 decode, same tokens": cyjwt_first_seen,
        "raw cryptography RS256 verify": lambda: raw_verify,
        "verifier HS256 repeated (cache)": lambda: lambda: hs_verifier.decode(hs_token),
        "PyJWT HS256 decode": lambda: (
            lambda: pyjwt.decode(hs_token, secret, algorithms=["HS256"], **POLICY)
        ),
        "verifier HS256 first seen": hs_first_seen,
        "cyjwt HS256 decode, same tokens": cyjwt_hs_first_seen,
    }
    ratios = {
        "RS256 cached: PyJWT / verifier (target >= 20)": (
            "PyJWT RS256 decode (key object)",
            "verifier RS256 repeated (cache)",
        ),
        "RS256 cached: verifier / cyjwt HS256 decode (target <= 2)": (
            "verifier RS256 repeated (cache)",
            "cyjwt HS256 decode",
        ),
        "RS256 first seen: verifier / raw verify (target <= 1.1)": (
            "verifier RS256 first seen",
            "raw cryptography RS256 verify",
        ),
        "RS256 first seen, kid in a JWK Set: verifier / raw verify (target <= 1.1)": (
            "verifier RS256 first seen, JWK Set",
            "raw cryptography RS256 verify",
        ),
        "RS256 first seen: verifier / cyjwt decode (the verifier's own cost)": (
            "verifier RS256 first seen",
            "cyjwt RS256 decode, same tokens",
        ),
        "cyjwt RS256 decode / raw verify": (
            "cyjwt RS256 decode, same tokens",
            "raw cryptography RS256 verify",
        ),
        "HS256: PyJWT / verifier (target >= 30)": (
            "PyJWT HS256 decode",
            "verifier HS256 repeated (cache)",
        ),
        "HS256 first seen: verifier / cyjwt decode (what remembering costs)": (
            "verifier HS256 first seen",
            "cyjwt HS256 decode, same tokens",
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    per_round: dict[str, list[float]] = {name: [] for name in ratios}
    names = list(cases)
    for _ in range(rounds):
        random.shuffle(names)
        this_round = {}
        for name in names:
            fn = cases[name]()
            fn()  # warm
            if name in (
                "verifier RS256 first seen",
                "verifier RS256 first seen, JWK Set",
                "cyjwt RS256 decode, same tokens",
                "verifier HS256 first seen",
                "cyjwt HS256 decode, same tokens",
            ):
                fn = cases[name]()  # a fresh verifier and pool: every token unseen
            this_round[name] = _time_per_call(fn, number - 1)
            times[name].append(this_round[name])
        for label, (top, bottom) in ratios.items():
            per_round[label].append(this_round[top] / this_round[bottom])

    print(f"median time per call over {rounds} rounds of {number} calls")
    for name in cases:
        print(f"  {name:<36} {statistics.median(times[name]) * 1e6:9.2f} us")
    print("median of per-round ratios")
    for label in ratios:
        print(f"  {label:<68} {statistics.median(per_round[label]):7.2f}")


def part2(delay: float, callers: int) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(cyjwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk["kid"] = "new-key"
    body = json.dumps({"keys": [jwk]}).encode()
    hits: list[float] = []
    answered: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(time.monotonic())
            time.sleep(delay)
            answered.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/jwks"
        verifier = cyjwt.JWTVerifier(
            cyjwt.AsyncPyJWKClient(url, timeout=delay + 10), algorithms=["RS256"], **POLICY
        )
        token = cyjwt.encode(_claims(), private, algorithm="RS256", headers={"kid": "new-key"})

        # (tick start, tick end) of a 1 ms ticker, on the monotonic clock the
        # server stamps too; lag is how late a tick ends.
        ticks: list[tuple[float, float]] = []
        quiet_until: list[float] = []

        async def run() -> list[Any]:
            done = False

            async def ticker() -> None:
                while not done:
                    before = time.monotonic()
                    await asyncio.sleep(0.001)
                    ticks.append((before, time.monotonic()))

            tick = asyncio.ensure_future(ticker())
            # A quiet second first: the lag this machine shows with nothing
            # else on the loop.
            await asyncio.sleep(1.0)
            quiet_until.append(time.monotonic())
            results = await asyncio.gather(
                *(verifier.decode_async(token) for _ in range(callers)), return_exceptions=True
            )
            done = True
            await tick
            return results

        started = perf()
        results = asyncio.run(asyncio.wait_for(run(), timeout=delay + 30))
        elapsed = perf() - started
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    ok = sum(1 for r in results if isinstance(r, dict))
    # Ticks wholly inside the fetch: from the request's arrival (the 1,000
    # calls have parsed their tokens and are waiting) to the answer.
    during = [
        end - begin - 0.001
        for begin, end in ticks
        if hits and answered and hits[0] <= begin and end <= answered[0]
    ]
    lag = max(during, default=float("nan"))
    quiet = [end - begin - 0.001 for begin, end in ticks if quiet_until and end <= quiet_until[0]]
    after = [end - begin - 0.001 for begin, end in ticks if answered and begin >= answered[0]]
    print(
        f"{callers} concurrent decode_async, unseen kid, {delay:.1f} s JWKS answer: "
        f"{len(hits)} HTTP request(s) (target 1), {ok}/{callers} verified, "
        f"{elapsed:.2f} s in all"
    )

    def p99(lags: list[float]) -> float:
        return sorted(lags)[int(len(lags) * 0.99)] if lags else float("nan")

    print(
        f"  event-loop lag with nothing running (1 s before): worst "
        f"{max(quiet, default=float('nan')) * 1e3:.2f} ms, p99 {p99(quiet) * 1e3:.2f} ms "
        f"over {len(quiet)} ticks"
    )
    print(f"  event-loop lag during the fetch: p99 {p99(during) * 1e3:.2f} ms")
    print(
        f"  worst event-loop lag during the fetch: {lag * 1e3:.2f} ms over {len(during)} ticks "
        f"(target < 5 ms); afterwards, while the {callers} signatures are verified on the "
        f"loop: {max(after, default=float('nan')) * 1e3:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000, help="calls per case per round")
    parser.add_argument("--quick", action="store_true", help="5 rounds of 500 calls")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.number = 5, 500
    print(f"cyjwt {cyjwt.CYJWT_VERSION} ({cyjwt.IMPLEMENTATION} core)")
    part1(args.rounds, args.number)
    part2(2.0, 1000)


if __name__ == "__main__":
    main()
