"""What the compiled core remembers between calls (the options it last read,
the module globals it last found plain, the classes it last found
unchanged) never outlives a change: each case changes something between
two calls, on cyjwt and on PyJWT alike, and compares what follows."""

from __future__ import annotations

import datetime as real_datetime
import json
from collections.abc import Iterator
from typing import Any

import jwt as pyjwt
import pytest

import cyjwt
from _observe import observe

pytestmark = pytest.mark.usefixtures("active_core")

KEY = "c" * 32
EXPIRED = {"sub": "s", "exp": 1}


class Flip:
    """A switch whose truth changes without its dict changing."""

    def __init__(self) -> None:
        self.value = True

    def __bool__(self) -> bool:
        return self.value


@pytest.fixture
def options() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """The global objects' own options dicts (cyjwt's, PyJWT's), restored after."""
    ours: dict[str, Any] = cyjwt.api_jwt._jwt_global_obj.options  # type: ignore[assignment]
    theirs: dict[str, Any] = pyjwt.api_jwt._jwt_global_obj.options  # type: ignore[assignment]
    saved = (dict(ours), dict(theirs), list(ours["require"]), list(theirs["require"]))
    yield ours, theirs
    for opts, saved_opts in ((ours, saved[0]), (theirs, saved[1])):
        opts.clear()
        opts.update(saved_opts)
    ours["require"][:] = saved[2]
    theirs["require"][:] = saved[3]


def _decode_both(claims: dict[str, Any]) -> None:
    token = pyjwt.encode(claims, KEY, algorithm="HS256")
    assert observe(cyjwt.decode, token, KEY, algorithms=["HS256"]) == observe(
        pyjwt.decode, token, KEY, algorithms=["HS256"]
    )


def test_a_switch_changed_in_the_options(options: Any) -> None:
    _decode_both(EXPIRED)
    for opts in options:
        opts["verify_exp"] = False
    _decode_both(EXPIRED)
    for opts in options:
        opts["verify_exp"] = True
    _decode_both(EXPIRED)


def test_require_changed_in_place(options: Any) -> None:
    _decode_both({"sub": "s"})
    for opts in options:
        opts["require"].append("jti")
    _decode_both({"sub": "s"})
    for opts in options:
        opts["require"].clear()
    _decode_both({"sub": "s"})


def test_a_switch_whose_truth_changes(options: Any) -> None:
    flips = [Flip(), Flip()]
    for opts, flip in zip(options, flips):
        opts["verify_exp"] = flip
    _decode_both(EXPIRED)
    for flip in flips:
        flip.value = False
    _decode_both(EXPIRED)


def test_strict_aud_added(options: Any) -> None:
    claims = {"sub": "s", "aud": ["a", "b"]}
    token = pyjwt.encode(claims, KEY, algorithm="HS256")

    def both() -> None:
        assert observe(cyjwt.decode, token, KEY, algorithms=["HS256"], audience="a") == observe(
            pyjwt.decode, token, KEY, algorithms=["HS256"], audience="a"
        )

    both()
    for opts in options:
        opts["strict_aud"] = True
    both()


def test_module_globals_patched_after_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    token = pyjwt.encode({"sub": "s", "exp": 2_000_000_000}, KEY, algorithm="HS256")
    calls: list[Any] = []

    def loads(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return json_loads(*args, **kwargs)

    json_loads = json.loads
    assert cyjwt.decode(token, KEY, algorithms=["HS256"]) == {"sub": "s", "exp": 2_000_000_000}
    monkeypatch.setattr(json, "loads", loads)
    cyjwt.decode(token, KEY, algorithms=["HS256"])
    assert calls, "a patched json.loads must be called, as by PyJWT"
    monkeypatch.undo()

    class Frozen(real_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return real_datetime.datetime(2040, 1, 1, tzinfo=real_datetime.timezone.utc)

    cyjwt.decode(token, KEY, algorithms=["HS256"])
    monkeypatch.setattr(cyjwt.api_jwt, "datetime", Frozen)
    monkeypatch.setattr(pyjwt.api_jwt, "datetime", Frozen)
    assert observe(cyjwt.decode, token, KEY, algorithms=["HS256"]) == observe(
        pyjwt.decode, token, KEY, algorithms=["HS256"]
    )


def test_a_class_patched_after_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    token = pyjwt.encode({"sub": "s"}, KEY, algorithm="HS256")
    assert cyjwt.decode(token, KEY, algorithms=["HS256"]) == {"sub": "s"}
    for lib in (cyjwt, pyjwt):
        monkeypatch.setattr(
            lib.api_jwt.PyJWT,
            "_validate_claims",
            lambda self, *a, **k: (_ for _ in ()).throw(lib.InvalidTokenError("patched")),
        )
    assert observe(cyjwt.decode, token, KEY, algorithms=["HS256"]) == observe(
        pyjwt.decode, token, KEY, algorithms=["HS256"]
    )


def _raw_token(payload_json: bytes) -> str:
    """An HS256 token over a payload written by hand (duplicate keys, escapes)."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(payload_json)
    mac = hmac.new(KEY.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + b64(mac)).decode()


@pytest.mark.parametrize(
    "payload",
    [
        b'{"exp":1,"exp":4102444800}',
        b'{"exp":4102444800,"exp":1}',
        b'{"\\u0065xp":1}',
        b'{"e\\u0078p":4102444800,"exp":1}',
        b'{"nested":{"exp":1},"sub":"s"}',
        b'{"aud":"x","iss":"wrong","sub":5}',
        b'{"iss":"me","iss":"you","aud":["a"],"aud":"b"}',
        b'{"jti":1}',
        b'{"nbf":"soon","iat":"then"}',
        b'{"exp":1,"data":"\\ud800"}',
        b'{"exp":1, "exp" : 4102444800 }',
    ],
)
def test_registered_claims_read_while_parsing(payload: bytes) -> None:
    """The core notes exp, iss, aud, ... while it reads the claims set; the
    value the dict ends up with (the last of duplicates, escaped keys too)
    is the one checked, as by PyJWT."""
    token = _raw_token(payload)
    for kwargs in ({}, {"audience": "a", "issuer": "me"}, {"audience": "x", "subject": "s"}):
        assert observe(cyjwt.decode, token, KEY, algorithms=["HS256"], **kwargs) == observe(
            pyjwt.decode, token, KEY, algorithms=["HS256"], **kwargs
        ), kwargs


def test_attributes_replaced_on_the_instances() -> None:
    """The core remembers a PyJWT's options, PyJWS and algorithms while
    their __dict__s are unchanged: replacing one (same attribute count)
    is seen on the next call."""
    ours, theirs = cyjwt.PyJWT(), pyjwt.PyJWT()
    expired = pyjwt.encode(EXPIRED, KEY, algorithm="HS256")

    def both(call: Any) -> None:
        assert observe(call, ours) == observe(call, theirs)

    def decode(obj: Any) -> Any:
        return obj.decode(expired, KEY, algorithms=["HS256"])

    both(decode)
    for obj in (ours, theirs):
        obj.options = {**obj.options, "verify_exp": False}
    both(decode)
    for obj, lib in ((ours, cyjwt), (theirs, pyjwt)):
        obj._jws = lib.PyJWS(algorithms=["HS384"])
    both(decode)
    for obj in (ours, theirs):
        obj._jws._algorithms = {}
    both(decode)


def test_header_typ_patched_on_the_class(monkeypatch: pytest.MonkeyPatch) -> None:
    def encode(lib: Any) -> Any:
        return lib.encode({"sub": "s"}, KEY, algorithm="HS256")

    assert observe(encode, cyjwt) == observe(encode, pyjwt)
    for lib in (cyjwt, pyjwt):
        monkeypatch.setattr(lib.PyJWS, "header_typ", "at+jwt")
    assert observe(encode, cyjwt) == observe(encode, pyjwt)
