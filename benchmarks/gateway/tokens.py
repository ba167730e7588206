"""The tokens a gateway run sends: sessions reusing theirs, fresh ones, bad ones.

Every token is a Keycloak-shaped access token (benchmarks/_idp_tokens.py)
with a ``kid`` header, made different per user (``sub``, ``sid``, ``jti``)
and signed with ``cryptography`` / ``hmac`` alone.  The load generator picks:

* a **session** token most of the time: a pool of users, each sending the
  same token on every request, as a browser or a service does until its
  token expires;
* a **fresh** token some of the time: taken in turn from a pool larger than
  the verifier's cache, so each one is new to the server's cache;
* a **bad** token now and then: a session token with a flipped signature
  bit, or an expired one; the server must answer 401.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from .._fixtures import KeyPair, b64d, b64e, make_claims, reference_token
from .._idp_tokens import SHAPES

SHAPE = SHAPES["keycloak"]


@dataclass(frozen=True)
class Mix:
    """Shares of the requests, in per mille (the rest are session tokens)."""

    fresh_per_mille: int = 100
    bad_per_mille: int = 20


@dataclass
class TokenPool:
    alg: str
    sessions: List[str] = field(default_factory=list)
    fresh: List[str] = field(default_factory=list)
    bad: List[str] = field(default_factory=list)

    def write(self, path: Path) -> None:
        """One token a line, prefixed ``s``, ``f`` or ``b`` (read by tokens.lua)."""
        with open(path, "w", encoding="ascii") as f:
            for kind, tokens in (("s", self.sessions), ("f", self.fresh), ("b", self.bad)):
                for tok in tokens:
                    f.write(f"{kind} {tok}\n")

    def mean_bytes(self) -> int:
        toks = self.sessions + self.fresh
        return round(sum(len(t) for t in toks) / len(toks)) if toks else 0


def _user_claims(i: int, now: int, **overrides: Any) -> Dict[str, Any]:
    claims: Dict[str, Any] = make_claims(now, "", "keycloak", **{"exp": now + 3600, **overrides})
    tag = f"{i:08x}"
    claims["sub"] = f"8f14e45f-ceea-467a-9af0-2b7d{tag}"
    claims["sid"] = f"b7e2f1c4-0d9a-4e38-8c61-5a2f{tag}"
    claims["jti"] = f"onrtac:5c1e8d2a-7f3b-4d62-9a10-3e8f{tag}"
    return claims


def make_pool(
    alg: str,
    keys: Dict[str, KeyPair],
    sessions: int,
    fresh: int,
    bad: int = 64,
    now: Optional[int] = None,
) -> TokenPool:
    now = int(time.time()) if now is None else now
    header = {"alg": alg, "typ": "JWT", "kid": SHAPE.kid}

    def sign(claims: Dict[str, Any]) -> str:
        return reference_token(alg, claims, keys, header, ascii_only=False)

    pool = TokenPool(alg)
    pool.sessions = [sign(_user_claims(i, now)) for i in range(sessions)]
    pool.fresh = [sign(_user_claims(sessions + i, now)) for i in range(fresh)]
    for i in range(bad):
        if i % 2:
            pool.bad.append(sign(_user_claims(i, now, exp=now - 600, iat=now - 4200)))
        else:
            h, p, s = pool.sessions[i % len(pool.sessions)].split(".")
            sig = bytearray(b64d(s))
            sig[len(sig) // 2] ^= 0x01
            pool.bad.append(f"{h}.{p}.{b64e(bytes(sig))}")
    return pool
