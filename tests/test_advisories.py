"""One test (or more) per PyJWT security advisory, through cyjwt's public API.

Each decode case runs on the fast path (a plain ``PyJWT``) and on the
general path (a subclass that overrides a hook), so neither can regress.
Key-confusion advisories for HMAC secrets are covered in depth, with
every key format, in ``test_advisories_keys.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from unittest import mock

import pytest

import cyjwt
from cyjwt.algorithms import get_default_algorithms, has_crypto

NOW = int(time.time())
SECRET = "s" * 32


class GeneralPath(cyjwt.PyJWT):
    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        return super()._decode_payload(decoded)


@pytest.fixture(params=[cyjwt.PyJWT, GeneralPath], ids=["fast", "general"])
def jwt_obj(request: pytest.FixtureRequest) -> cyjwt.PyJWT:
    obj: cyjwt.PyJWT = request.param()
    return obj


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    header: dict[str, Any],
    payload: Any,
    key: bytes = SECRET.encode(),
    raw_payload: str | None = None,
) -> str:
    head = b64(json.dumps(header).encode())
    body = raw_payload if raw_payload is not None else b64(json.dumps(payload).encode())
    digest = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(digest)}"


# CVE-2015-9235 family: "none" and missing algorithm allow-lists.


def test_alg_none_is_refused_when_hs256_is_expected(jwt_obj: cyjwt.PyJWT) -> None:
    token = cyjwt.encode({"a": 1}, None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(cyjwt.InvalidAlgorithmError, match="not allowed"):
        jwt_obj.decode(token, SECRET, algorithms=["HS256"])


def test_alg_none_refuses_a_key_when_signing() -> None:
    with pytest.raises(cyjwt.InvalidKeyError, match='alg = "none"'):
        cyjwt.encode({"a": 1}, SECRET, algorithm="none")


def test_algorithms_argument_is_required(jwt_obj: cyjwt.PyJWT) -> None:
    token = cyjwt.encode({"a": 1}, SECRET)
    with pytest.raises(cyjwt.DecodeError, match='"algorithms" argument'):
        jwt_obj.decode(token, SECRET)


def test_header_alg_outside_the_allow_list_is_refused(jwt_obj: cyjwt.PyJWT) -> None:
    token = cyjwt.encode({"a": 1}, SECRET, algorithm="HS512")
    with pytest.raises(cyjwt.InvalidAlgorithmError):
        jwt_obj.decode(token, SECRET, algorithms=["HS256"])


# CVE-2017-11424 and CVE-2022-29217 (GHSA-ffqj-6fqr-9h24): public keys as HMAC secrets.


@pytest.mark.skipif(not has_crypto, reason="needs cryptography to make keys")
@pytest.mark.parametrize("fmt", ["pem", "ssh"])
def test_public_key_cannot_verify_a_forged_hmac_token(jwt_obj: cyjwt.PyJWT, fmt: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = ed25519.Ed25519PrivateKey.generate().public_key()
    if fmt == "pem":
        text = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        text = public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
    forged = forge({"alg": "HS256", "typ": "JWT"}, {"admin": True}, key=text)
    with pytest.raises(cyjwt.InvalidKeyError, match="asymmetric key"):
        jwt_obj.decode(forged, text, algorithms=list(get_default_algorithms()))


# GHSA-75c5-xw7c-p5pm: issuer matched as a substring.


@pytest.mark.parametrize("issuer", ["__abc__", ("__abc__",), ["x", "abcd"]])
def test_issuer_is_never_matched_partially(jwt_obj: cyjwt.PyJWT, issuer: Any) -> None:
    token = cyjwt.encode({"iss": "abc"}, SECRET)
    with pytest.raises(cyjwt.InvalidIssuerError, match="Invalid issuer"):
        jwt_obj.decode(token, SECRET, algorithms=["HS256"], issuer=issuer)


# GHSA-752w-5fwx-jx9f: the crit header parameter.


@pytest.mark.parametrize(
    ("crit", "message"),
    [
        (["exp"], "Unsupported critical extension: exp"),
        ([], "must be a non-empty list"),
        ("b64", "must be a non-empty list"),
        ([1], "values must be strings"),
        (["b64"], "Critical extension 'b64' is missing from headers"),
    ],
)
def test_unknown_or_malformed_crit_is_refused(
    jwt_obj: cyjwt.PyJWT, crit: Any, message: str
) -> None:
    token = forge({"alg": "HS256", "crit": crit}, {"a": 1})
    with pytest.raises(cyjwt.InvalidTokenError, match=message):
        jwt_obj.decode(token, SECRET, algorithms=["HS256"])


# GHSA-w7vc-732c-9m39: b64=false must not make the library decode an unused segment.


def test_b64_false_requires_an_empty_payload_segment(jwt_obj: cyjwt.PyJWT) -> None:
    token = forge({"alg": "HS256", "b64": False, "crit": ["b64"]}, None, raw_payload="A" * 100_000)
    with pytest.raises(cyjwt.DecodeError, match="Payload segment must be empty"):
        jwt_obj.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"x")


def test_b64_false_must_be_critical() -> None:
    token = forge({"alg": "HS256", "b64": False}, None, raw_payload="")
    with pytest.raises(cyjwt.InvalidTokenError, match="listed in 'crit'"):
        cyjwt.api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"x")


def test_detached_payload_is_refused_for_attached_tokens() -> None:
    token = cyjwt.api_jws.encode(b"attached", SECRET)
    with pytest.raises(cyjwt.DecodeError, match="only valid to pass"):
        cyjwt.api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"other")


# GHSA-hxm8-2xgr-2p9m: compact encoding rules (junk in base64 segments).


@pytest.mark.parametrize("junk", ["!!!!", "a=b", "ab c", "+/", "Zh", "Zg==="])
def test_non_canonical_signature_segments_are_refused(jwt_obj: cyjwt.PyJWT, junk: str) -> None:
    token = cyjwt.encode({"a": 1}, SECRET)
    head, body, sig = token.split(".")
    with pytest.raises(cyjwt.DecodeError, match="Invalid crypto padding"):
        jwt_obj.decode(f"{head}.{body}.{sig}{junk}", SECRET, algorithms=["HS256"])


# GHSA-8wjv-2p76-3863 / GHSA-w6j9-cwv2-h6wq: deep nesting never escapes as RecursionError.


@pytest.mark.parametrize("where", ["header", "payload"])
def test_deeply_nested_json_is_a_decode_error(jwt_obj: cyjwt.PyJWT, where: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    head = b64(deep.encode()) if where == "header" else b64(b'{"alg":"HS256"}')
    body = b64(deep.encode()) if where == "payload" else b64(b"{}")
    digest = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(cyjwt.DecodeError, match=f"Invalid {where} string"):
        jwt_obj.decode(f"{head}.{body}.{b64(digest)}", SECRET, algorithms=["HS256"])


# GHSA-jq35-7prp-9v3f: a PyJWK is bound to its own algorithm.


def test_pyjwk_key_is_bound_to_its_algorithm() -> None:
    jwk = cyjwt.PyJWK({"kty": "oct", "k": b64(SECRET.encode()), "alg": "HS256"})
    token = cyjwt.encode({"a": 1}, SECRET, algorithm="HS512")
    with pytest.raises(cyjwt.InvalidAlgorithmError, match="does not match the key's algorithm"):
        cyjwt.decode(token, jwk, algorithms=["HS256", "HS512"])


# GHSA-pxh4-856f-4h89 and GHSA-xgmm-8j9v-c9wx: HMAC keys through PyJWK, and JWK text as a secret.


def test_empty_oct_jwk_is_refused() -> None:
    with pytest.raises(cyjwt.InvalidKeyError, match="must not be empty"):
        cyjwt.PyJWK({"kty": "oct", "k": ""})


def test_jwk_text_is_not_an_hmac_secret(jwt_obj: cyjwt.PyJWT) -> None:
    text = json.dumps({"kty": "oct", "k": b64(SECRET.encode())})
    forged = forge({"alg": "HS256"}, {"admin": True}, key=text.encode())
    with pytest.raises(cyjwt.InvalidKeyError, match="looks like a JWK"):
        jwt_obj.decode(forged, text, algorithms=["HS256"])


# GHSA-993g-76c3-p5m4, GHSA-9v7f-9g4p-ffgj, GHSA-fhv5-28vv-h8m8, GHSA-2gx3-rcp4-g85q: the JWKS client.


@pytest.mark.parametrize("uri", ["file:///etc/passwd", "ftp://example.test/jwks", "data:,{}"])
def test_jwks_client_refuses_non_http_schemes(uri: str) -> None:
    with pytest.raises(cyjwt.PyJWKClientError, match="Invalid JWKS URI scheme"):
        cyjwt.PyJWKClient(uri)


def test_jwks_client_does_not_follow_redirects() -> None:
    from cyjwt.jwks_client import _NoRedirectHandler

    handler = _NoRedirectHandler()
    assert (
        handler.redirect_request(mock.Mock(), None, 302, "Found", {}, "http://evil.test/") is None
    )


def test_jwks_client_keeps_its_cache_through_an_outage() -> None:
    from urllib.error import URLError

    keys = {"keys": [{"kty": "oct", "k": b64(SECRET.encode()), "kid": "k1"}]}
    client = cyjwt.PyJWKClient("https://example.test/jwks", lifespan=0.01)
    with mock.patch("urllib.request.build_opener") as build:
        response = mock.MagicMock()
        response.__enter__.return_value.read.return_value = json.dumps(keys).encode()
        build.return_value.open.return_value = response
        with mock.patch("json.load", return_value=keys):
            client.fetch_data()
        build.return_value.open.side_effect = URLError("down")
        with pytest.raises(cyjwt.PyJWKClientConnectionError):
            client.fetch_data()
    assert client.jwk_set_cache is not None
    assert client.jwk_set_cache.jwk_set_with_timestamp is not None


def test_unknown_kids_do_not_hammer_the_endpoint() -> None:
    keys = {"keys": [{"kty": "oct", "k": b64(SECRET.encode()), "kid": "k1"}]}
    client = cyjwt.PyJWKClient("https://example.test/jwks", cooldown_duration=60)
    with mock.patch.object(client, "fetch_data", return_value=keys) as fetch:
        for _ in range(5):
            with pytest.raises(cyjwt.PyJWKClientError, match="Unable to find a signing key"):
                client.get_signing_key("unknown")
    assert (
        fetch.call_count == 2
    )  # the first fetch, then one forced refresh; then the cooldown holds


# The signature comparison must be constant-time: both cores compare with
# a constant-time primitive (CRYPTO_memcmp, hmac.compare_digest).


def test_signature_compare_is_constant_time_primitive() -> None:
    import inspect
    from pathlib import Path

    from cyjwt import _core_py, _core_py_jwt

    # The one-call decode verifies HS* signatures in _signature_holds.
    assert "hmac.compare_digest" in inspect.getsource(_core_py_jwt._signature_holds)
    assert (
        "=="
        not in inspect.getsource(_core_py_jwt._signature_holds)
        .split("compare_digest")[0]
        .split("kind == 1")[1]
    )
    assert "hmac.compare_digest" in inspect.getsource(_core_py.hmac_verify)
    source = Path(_core_py.__file__).parent / "_core_decode.pxi"
    if source.exists():  # (a source tree) the compiled twin: CRYPTO_memcmp on the MAC
        compiled = source.read_text()
        holds = compiled[compiled.index("cdef bint _signature_holds") :]
        holds = holds[: holds.index("\n\n\n")]
        assert "CRYPTO_memcmp(sig_seg.data, mac, size)" in holds
        assert " memcmp(" not in holds
