"""The pure twin's quick paths for the one-call decode, each against what
it stands in for: strict base64url against b64url_decode_segment, the
pre-hashed HMAC pads against hmac.digest, the JSON scanner against
json.loads, and the inline claim checks against PyJWT 2.15.1's
_validate_claims (results, exception classes, messages and context)."""

from __future__ import annotations

import hmac
import json
import time
import types
from datetime import timedelta
from typing import Any, Callable
from unittest import mock

import jwt as pyjwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyjwt
from _observe import observe
from cyjwt import _core_py as twin
from cyjwt import _core_py_claims, _core_py_codec, _fastpath

# -- base64url ---------------------------------------------------------------

_SEGMENT_BYTES = st.sampled_from(
    list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    + list(b"+/=.\n \x00\xff!")
)


def _decoded(func: Callable[[bytes, str], bytes], segment: bytes) -> tuple[Any, ...]:
    return observe(func, segment, "payload")


@given(st.lists(_SEGMENT_BYTES, max_size=24).map(bytes))
@settings(max_examples=3000, deadline=None)
def test_quick_base64url_decodes_as_the_strict_decoder(segment: bytes) -> None:
    quick = _decoded(_core_py_codec._b64url_decode_quick, segment)
    assert quick == _decoded(twin.b64url_decode_segment, segment)


@pytest.mark.parametrize(
    "segment",
    [b"", b"QQ", b"QR", b"QUE", b"QUF", b"QQ==", b"QUE=", b"Q", b"QQ=", b"QQ===", b"Q+8", b"Q/8"],
)
def test_quick_base64url_edge_cases(segment: bytes) -> None:
    quick = _decoded(_core_py_codec._b64url_decode_quick, segment)
    assert quick == _decoded(twin.b64url_decode_segment, segment)


# -- HMAC --------------------------------------------------------------------


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
@pytest.mark.parametrize("key_size", [0, 1, 32, 63, 64, 65, 127, 128, 129, 300])
def test_hmac_pads_digest_as_hmac(hash_name: str, key_size: int) -> None:
    key = bytes(range(256))[:key_size] * 2 if key_size > 256 else bytes(range(key_size))
    pads = _core_py_codec.HmacPads(hash_name, key)
    for msg in (b"", b"a", b"x" * 1000, b"header.payload"):
        assert pads.digest(msg) == hmac.digest(key, msg, hash_name)
    assert pads.digest(b"again") == hmac.digest(key, b"again", hash_name)  # state not consumed


# -- JSON --------------------------------------------------------------------

_JSON_DOCUMENTS = [
    b"{}",
    b'{"a":1}',
    b'{"a":1} ',
    b' {"a":1}',
    b'{"a":1}x',
    b'{"a":1}{}',
    b"{",
    b'{"a":\xff}',
    b'{"a":"\xed\xa0\x80"}',
    b'{"a":NaN,"b":-Infinity}',
    b"{\x00\x00\x00",
    b"{\x00",
    b'{"a":"\xc3\xa9"}',
    b'{"a":1}\n',
    b'{"a":[1,2,{"b":null}],"c":1.5e3}',
    b'{"a":1,"a":2}',
    b'{"\\ud800":1}',
    b"[1]",
    b"\xef\xbb\xbf{}",
]


def _loads_observed(data: bytes) -> tuple[Any, ...]:
    return observe(json.loads, data)


@pytest.mark.parametrize("data", _JSON_DOCUMENTS)
def test_json_quick_reads_as_json_loads_or_declines(data: bytes) -> None:
    value = _core_py_codec._json_quick(data)
    if value is not None:
        assert type(value) is dict
        assert observe(lambda: value) == _loads_observed(data)


@given(
    st.dictionaries(
        st.text(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=8,
        ),
    )
)
@settings(max_examples=300, deadline=None)
def test_json_quick_reads_generated_objects(document: dict[str, Any]) -> None:
    for ascii_only in (True, False):
        data = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        value = _core_py_codec._json_quick(data)
        assert value is not None
        assert observe(lambda: value) == _loads_observed(data)


# -- claims ------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _twin_wired() -> None:
    """The twin's wiring, whichever core the package selected."""
    twin.fast_setup(_fastpath.wiring())


_NOW = int(time.time())
_TIME_VALUES = st.sampled_from(
    [
        _NOW - 100_000,
        _NOW + 100_000,
        str(_NOW - 100_000),
        "soon",
        float(_NOW + 100_000),
        float("inf"),
        float("nan"),
        True,
        None,
        [1],
    ]
)
_TEXTS = st.sampled_from(["api", "other", "https://issuer", ""])
_CLAIM_VALUES = {
    "iat": _TIME_VALUES,
    "nbf": _TIME_VALUES,
    "exp": _TIME_VALUES,
    "iss": _TEXTS | st.sampled_from([5, None, ["https://issuer"]]),
    "aud": _TEXTS
    | st.lists(_TEXTS, max_size=3)
    | st.sampled_from([5, None, [5], ["api", 5], {"a": 1}]),
    "sub": _TEXTS | st.sampled_from([5, None]),
    "jti": _TEXTS | st.sampled_from([5, None]),
}
_PAYLOADS = st.fixed_dictionaries(
    {}, optional={name: values for name, values in _CLAIM_VALUES.items()}
)
_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "verify_signature": st.booleans(),
        "verify_exp": st.booleans(),
        "verify_nbf": st.booleans(),
        "verify_iat": st.booleans(),
        "verify_aud": st.booleans(),
        "verify_iss": st.booleans(),
        "verify_sub": st.booleans(),
        "verify_jti": st.booleans(),
        "require": st.lists(st.sampled_from(["exp", "iat", "nbf", "iss", "aud", "sub", "jti"])),
        "strict_aud": st.booleans(),
    },
)
_AUDIENCES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    _TEXTS,
    st.lists(_TEXTS, max_size=3),
    st.tuples(_TEXTS),
    st.sets(_TEXTS, max_size=2),
    st.sampled_from([5, b"api", iter(())]),
)
_ISSUERS = st.none() | _TEXTS | st.lists(_TEXTS, max_size=2) | st.sampled_from([5, ("api",)])
_LEEWAYS = st.sampled_from([0, 60, 200_000, 1.5, -200_000, timedelta(seconds=90), True, None])


def _as_pyjwt(options: dict[str, Any]) -> dict[str, Any]:
    return dict(pyjwt.PyJWT()._merge_options(options))  # type: ignore[arg-type]


@given(_PAYLOADS, _OPTIONS, _AUDIENCES, _ISSUERS, st.none() | _TEXTS | st.just(5), _LEEWAYS)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_inline_claims_check_as_pyjwt(
    payload: dict[str, Any],
    options: dict[str, Any],
    audience: Any,
    issuer: Any,
    subject: Any,
    leeway: Any,
) -> None:
    merged = _as_pyjwt(options)

    def reference() -> None:
        pyjwt.PyJWT()._validate_claims(
            payload,
            dict(merged),  # type: ignore[arg-type]
            audience=audience,
            issuer=issuer,
            subject=subject,
            leeway=leeway,
        )

    def inline() -> None:
        handled = _core_py_claims._claims_checked(
            payload, dict(merged), audience, issuer, subject, leeway
        )
        if not handled:
            raise LookupError("declined")

    ours = observe(inline)
    if ours[0] == "error" and ours[2] == "declined":
        # Declined before doing anything: only for arguments the method checks.
        assert (
            type(leeway) not in (int, float, timedelta)
            or (audience is not None and type(audience) not in (str, list, tuple, set, frozenset))
            or merged.get("strict_aud")
        )
        return
    assert ours == observe(reference)


@pytest.mark.usefixtures("active_core")
@pytest.mark.parametrize("audience", [None, "api", ["x", "api"], ("api",), {"api"}, "other"])
@pytest.mark.parametrize("issuer", [None, "https://issuer", ["https://issuer"], "other"])
@pytest.mark.parametrize("leeway", [0, 2.5, timedelta(seconds=10), 10**6])
def test_decode_with_claim_arguments_as_pyjwt(audience: Any, issuer: Any, leeway: Any) -> None:
    claims = {
        "iss": "https://issuer",
        "aud": "api",
        "sub": "someone",
        "iat": _NOW,
        "nbf": _NOW,
        "exp": _NOW + 3600,
        "jti": "j",
    }

    def action(lib: types.ModuleType) -> Any:
        token = lib.encode(claims, "k" * 32, algorithm="HS256")
        return lib.decode(
            token, "k" * 32, algorithms=["HS256"], audience=audience, issuer=issuer, leeway=leeway
        )

    assert observe(action, cyjwt) == observe(action, pyjwt)


# -- patch detection -----------------------------------------------------------


def test_live_class_dict_sees_every_change() -> None:
    from cyjwt._core_py_wiring import _live_dict

    class Probe:
        def method(self) -> int:
            return 1

    live = _live_dict(Probe)
    snapshot = dict(vars(Probe))
    assert live == snapshot
    Probe.method = lambda self: 2  # type: ignore[method-assign]
    assert live != snapshot
    del Probe.method
    assert live != snapshot
    Probe.method = snapshot["method"]  # type: ignore[method-assign]
    assert live == snapshot
    Probe.extra = 1  # type: ignore[attr-defined]
    assert live != snapshot


@pytest.mark.usefixtures("active_core")
def test_verifier_first_seen_tokens_claims_checked_and_patches_honoured() -> None:
    key = "k" * 32
    token = cyjwt.encode({"sub": "s", "aud": "api", "exp": _NOW + 3600}, key, algorithm="HS256")
    verifier = cyjwt.JWTVerifier(key, algorithms=["HS256"], audience="api", cache_size=0)
    assert verifier.decode(token)["sub"] == "s"
    expired = cyjwt.encode({"aud": "api", "exp": _NOW - 3600}, key, algorithm="HS256")
    with pytest.raises(cyjwt.ExpiredSignatureError):
        verifier.decode(expired)
    elsewhere = cyjwt.encode({"aud": "web"}, key, algorithm="HS256")
    with pytest.raises(cyjwt.InvalidAudienceError):
        verifier.decode(elsewhere)
    with mock.patch.object(cyjwt.PyJWT, "_validate_claims", side_effect=ValueError("patched")):
        with pytest.raises(ValueError, match="patched"):
            verifier.decode(token)
    with mock.patch("cyjwt.api_jwt.datetime") as clock:
        clock.now.return_value.timestamp.return_value = _NOW + 7200
        with pytest.raises(cyjwt.ExpiredSignatureError):
            verifier.decode(token)
    assert verifier.decode(token)["sub"] == "s"
