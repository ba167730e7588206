"""Keys, claims, reference tokens and the list of benchmarked operations.

Everything here is built from ``cryptography``, ``hmac`` and ``json`` only,
so the reference tokens (and the checks built on them) do not depend on any
of the JWT libraries under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ._idp_tokens import SHAPES

ISSUER = "https://issuer.bench.example"
AUDIENCE = "bench-audience"
SUBJECT = "user-1234567890"
KID = "bench-key-1"
HMAC_SECRET = b"cyjwt-benchmark-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123"  # 64 bytes

HMAC_ALGS = ("HS256", "HS384", "HS512")
ASYM_ALGS = ("RS256", "PS256", "ES256", "EdDSA")
HASHES = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}


# --------------------------------------------------------------------------- operations

SHAPE_LABELS = {key: shape.label for key, shape in SHAPES.items()}


@dataclass(frozen=True)
class Op:
    """One benchmarked operation; ``name`` is also the pytest-benchmark group."""

    name: str
    kind: str  # "encode" | "decode" | "header"
    alg: str
    keyform: str = ""  # "" (HMAC secret), "pem" or "obj"
    size: str = ""  # "" (normal claims), "4KiB" or "64KiB"
    shape: str = ""  # "" (the ten claims) or an identity provider's shape (SHAPES)

    @property
    def family(self) -> str:
        if self.alg.startswith("HS") or self.kind == "header":
            return "hmac"
        if self.alg in ("RS256", "PS256"):
            return "rsa"
        return "ec"


def _build_ops() -> list[Op]:
    ops: list[Op] = []
    for alg in HMAC_ALGS:
        ops.append(Op(f"{alg} encode", "encode", alg))
    for alg in HMAC_ALGS:
        ops.append(Op(f"{alg} decode", "decode", alg))
    for alg in ASYM_ALGS:
        for kind in ("encode", "decode"):
            ops.append(Op(f"{alg} {kind} PEM", kind, alg, "pem"))
            ops.append(Op(f"{alg} {kind} keyobj", kind, alg, "obj"))
    ops.append(Op("get_unverified_header", "header", "RS256"))
    ops.append(Op("HS256 decode 4KiB", "decode", "HS256", size="4KiB"))
    ops.append(Op("HS256 decode 64KiB", "decode", "HS256", size="64KiB"))
    for shape, label in SHAPE_LABELS.items():
        ops.append(Op(f"HS256 decode {label}", "decode", "HS256", shape=shape))
    ops.append(Op("RS256 decode Keycloak keyobj", "decode", "RS256", "obj", shape="keycloak"))
    return ops


OPS: list[Op] = _build_ops()
OPS_BY_NAME: dict[str, Op] = {op.name: op for op in OPS}


# --------------------------------------------------------------------------- base64url


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(data: str | bytes) -> bytes:
    if isinstance(data, str):
        data = data.encode("ascii")
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def _json(obj: Any, ascii_only: bool = True) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=ascii_only).encode("utf-8")


# --------------------------------------------------------------------------- keys


@dataclass
class KeyPair:
    alg: str
    private_obj: Any
    public_obj: Any
    private_pem: str
    public_pem: str


def _pems(priv: Any) -> tuple[str, str]:
    priv_pem = priv.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    pub_pem = (
        priv.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return priv_pem, pub_pem


def make_keys() -> dict[str, KeyPair]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    out = {}
    for alg, priv in (("RS256", rsa_key), ("PS256", rsa_key), ("ES256", ec_key), ("EdDSA", ed_key)):
        priv_pem, pub_pem = _pems(priv)
        out[alg] = KeyPair(alg, priv, priv.public_key(), priv_pem, pub_pem)
    return out


# --------------------------------------------------------------------------- raw sign / verify


def raw_signer(alg: str, keys: dict[str, KeyPair]) -> Callable[[bytes], bytes]:
    """``sign(signing_input) -> JWS signature bytes`` using cryptography/hmac directly."""
    if alg in HASHES:
        digest = HASHES[alg]().name

        def sign_hmac(msg: bytes) -> bytes:
            return hmac.digest(HMAC_SECRET, msg, digest)

        return sign_hmac
    priv = keys[alg].private_obj
    if alg == "RS256":
        pkcs = padding.PKCS1v15()
        sha = hashes.SHA256()
        return lambda msg: priv.sign(msg, pkcs, sha)
    if alg == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        sha = hashes.SHA256()
        return lambda msg: priv.sign(msg, pss, sha)
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())

        def sign_es(msg: bytes) -> bytes:
            r, s = decode_dss_signature(priv.sign(msg, ecdsa))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        return sign_es
    if alg == "EdDSA":
        sign_ed: Callable[[bytes], bytes] = priv.sign
        return sign_ed
    raise ValueError(alg)


def raw_verifier(alg: str, keys: dict[str, KeyPair]) -> Callable[[bytes, bytes], bool]:
    """``verify(signing_input, signature) -> bool`` using cryptography/hmac directly."""
    if alg in HASHES:
        digest = HASHES[alg]().name

        def verify_hmac(msg: bytes, sig: bytes) -> bool:
            return hmac.compare_digest(hmac.digest(HMAC_SECRET, msg, digest), sig)

        return verify_hmac
    pub = keys[alg].public_obj
    if alg == "RS256":
        pkcs = padding.PKCS1v15()
        args: tuple[Any, ...] = (pkcs, hashes.SHA256())
    elif alg == "PS256":
        # Accept any salt length when *checking* other libraries' output.
        args = (
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
            hashes.SHA256(),
        )
    elif alg == "ES256":
        args = (ec.ECDSA(hashes.SHA256()),)
    elif alg == "EdDSA":
        args = ()
    else:
        raise ValueError(alg)

    def verify(msg: bytes, sig: bytes) -> bool:
        if alg == "ES256":
            if len(sig) != 64:
                return False
            sig = encode_dss_signature(
                int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            )
        try:
            pub.verify(sig, msg, *args)
        except Exception:
            return False
        return True

    return verify


def reference_token(
    alg: str,
    claims: dict[str, Any],
    keys: dict[str, KeyPair],
    header: Optional[dict[str, Any]] = None,
    ascii_only: bool = True,
) -> str:
    """A token signed with cryptography/hmac alone; ``ascii_only=False`` writes raw UTF-8."""
    hdr = {"alg": alg, "typ": "JWT"} if header is None else header
    signing_input = (b64e(_json(hdr)) + "." + b64e(_json(claims, ascii_only))).encode("ascii")
    sig = raw_signer(alg, keys)(signing_input)
    return signing_input.decode("ascii") + "." + b64e(sig)


def reference_check(
    token: Any, alg: str, keys: dict[str, KeyPair]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a token produced by a library; return (header, claims) or raise ValueError."""
    if isinstance(token, bytes):
        token = token.decode("ascii")
    if not isinstance(token, str):
        raise ValueError(f"encode returned {type(token).__name__}, not str")
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("token is not three dot-separated segments")
    header = json.loads(b64d(parts[0]))
    if header.get("alg") != alg:
        raise ValueError(f"header alg is {header.get('alg')!r}, expected {alg!r}")
    if not raw_verifier(alg, keys)((parts[0] + "." + parts[1]).encode("ascii"), b64d(parts[2])):
        raise ValueError("signature does not verify")
    return header, json.loads(b64d(parts[1]))


# --------------------------------------------------------------------------- claims and tokens


def make_claims(
    now: Optional[int] = None, size: str = "", shape: str = "", **overrides: Any
) -> dict[str, Any]:
    now = int(time.time()) if now is None else now
    if shape:
        return {**SHAPES[shape].claims(now), **overrides}
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": SUBJECT,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": "4f1g23a12aa",
        "name": "Benchmark User",
        "scope": "read:things write:things",
        "admin": False,
    }
    if size:
        target = {"4KiB": 4096, "64KiB": 65536}[size]
        base = len(_json(claims)) + len(',"data":""')
        claims["data"] = "x" * max(0, target - base)
    claims.update(overrides)
    return claims


@dataclass
class TokenSet:
    """Reference tokens for one (alg, size): a valid one and several that must fail."""

    claims: dict[str, Any]
    valid: str
    bad: dict[str, str] = field(default_factory=dict)
    issuer: str = ISSUER  # what decode is told to expect
    audience: str = AUDIENCE


def make_tokens(
    alg: str, keys: dict[str, KeyPair], size: str = "", now: Optional[int] = None, shape: str = ""
) -> TokenSet:
    """The valid token and the failing ones; ``shape`` tokens carry a ``kid`` and raw UTF-8."""
    now = int(time.time()) if now is None else now
    claims = make_claims(now, size, shape)
    header: Optional[dict[str, Any]] = None
    issuer, audience, ascii_only = ISSUER, AUDIENCE, True
    if shape:
        sh = SHAPES[shape]
        header = {"alg": alg, "typ": "JWT", "kid": sh.kid}
        issuer, audience, ascii_only = sh.issuer, sh.audience, False

    def token(c: dict[str, Any]) -> str:
        return reference_token(alg, c, keys, header, ascii_only)

    def variant(**overrides: Any) -> str:
        return token(make_claims(now, size, shape, **overrides))

    valid = token(claims)
    h, p, s = valid.split(".")
    # flip one bit in the middle of the signature
    sig = bytearray(b64d(s))
    sig[len(sig) // 2] ^= 0x01
    forged_claims = dict(claims, admin=True)
    bad = {
        "tampered signature": f"{h}.{p}.{b64e(bytes(sig))}",
        "tampered payload": f"{h}.{b64e(_json(forged_claims, ascii_only))}.{s}",
        "alg none": b64e(_json({"alg": "none", "typ": "JWT"})) + "." + p + ".",
        "expired token": variant(exp=now - 7200, iat=now - 10800, nbf=now - 10800),
        "not-yet-valid token": variant(nbf=now + 7200),
        "wrong audience": variant(aud="someone-else"),
        "wrong issuer": variant(iss="https://evil.example"),
    }
    return TokenSet(claims, valid, bad, issuer, audience)


@dataclass
class Fixtures:
    keys: dict[str, KeyPair]
    now: int
    tokens: dict[tuple[str, str], TokenSet]  # (alg, size or shape) -> TokenSet
    header_token: str
    header_expected: dict[str, Any]

    def tokenset(self, op: Op) -> TokenSet:
        return self.tokens[(op.alg, op.size or op.shape)]


def make_fixtures() -> Fixtures:
    keys = make_keys()
    now = int(time.time())
    tokens: dict[tuple[str, str], TokenSet] = {}
    for alg in HMAC_ALGS + ASYM_ALGS:
        tokens[(alg, "")] = make_tokens(alg, keys, "", now)
    for size in ("4KiB", "64KiB"):
        tokens[("HS256", size)] = make_tokens("HS256", keys, size, now)
    for op in OPS:
        if op.shape and (op.alg, op.shape) not in tokens:
            tokens[(op.alg, op.shape)] = make_tokens(op.alg, keys, now=now, shape=op.shape)
    header_expected = {"alg": "RS256", "kid": KID, "typ": "JWT"}
    header_token = reference_token("RS256", make_claims(now), keys, header_expected)
    return Fixtures(keys, now, tokens, header_token, header_expected)
