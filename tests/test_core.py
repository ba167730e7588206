"""The core primitives, run against both implementations (the ``core`` fixture)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import types
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cyjwt.exceptions import DecodeError

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def reference_segment_decode(segment: bytes) -> bytes | None:
    """What PyJWT 2.15.1 accepts, restated plainly: None where it refuses."""
    stripped = segment.rstrip(b"=")
    padding = len(segment) - len(stripped)
    if padding > 2 or (padding and len(segment) % 4):
        return None
    if len(stripped) % 4 == 1 or any(chr(c) not in ALPHABET for c in stripped):
        return None
    decoded = base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != stripped:
        return None
    return decoded


# -- base64url -------------------------------------------------------------


@given(st.binary(max_size=300))
def test_b64url_encode_matches_stdlib(core: types.ModuleType, data: bytes) -> None:
    assert core.b64url_encode(data) == base64.urlsafe_b64encode(data).rstrip(b"=")


@given(st.binary(max_size=300))
def test_segment_roundtrip(core: types.ModuleType, data: bytes) -> None:
    assert core.b64url_decode_segment(core.b64url_encode(data), "payload") == data


@pytest.mark.parametrize(
    ("segment", "decoded"),
    [
        (b"", b""),
        (b"Zg", b"f"),
        (b"Zg==", b"f"),
        (b"Zm8=", b"fo"),
        (b"Zm9v", b"foo"),
        (b"-_8", b"\xfb\xff"),
    ],
)
def test_segment_accepts(core: types.ModuleType, segment: bytes, decoded: bytes) -> None:
    assert core.b64url_decode_segment(segment, "crypto") == decoded


@pytest.mark.parametrize(
    "segment",
    [
        b"Zg===",
        b"Zg=",
        b"a",
        b"Z?==",
        b"Zh",
        b"Zh==",
        b"Zm9v=",
        b"Zm9v====",
        b"Z g",
        b"Zg\n",
        b"Zg\x00",
        b"Zm+v",
        b"Zm/v",
        b"Zm=v",
        b"=",
        b"==",
        b"Zm9v\xc3\xa9",
        b"\xff\xfe",
    ],
)
def test_segment_rejects(core: types.ModuleType, segment: bytes) -> None:
    with pytest.raises(DecodeError, match="^Invalid crypto padding$") as info:
        core.b64url_decode_segment(segment, "crypto")
    assert info.value.__cause__ is None


@settings(max_examples=400)
@given(
    st.binary(max_size=40) | st.text(alphabet=ALPHABET + "=+/ .\x00é", max_size=40).map(str.encode)
)
@example(b"AAA=")
@example(b"AB==")
def test_segment_agrees_with_reference(core: types.ModuleType, segment: bytes) -> None:
    expected = reference_segment_decode(segment)
    if expected is None:
        with pytest.raises(DecodeError, match="^Invalid header padding$"):
            core.b64url_decode_segment(segment, "header")
    else:
        assert core.b64url_decode_segment(segment, "header") == expected


def test_segment_large(core: types.ModuleType) -> None:
    data = bytes(range(256)) * 40000  # ~10 MB
    encoded = core.b64url_encode(data)
    assert core.b64url_decode_segment(encoded, "payload") == data
    with pytest.raises(DecodeError):
        core.b64url_decode_segment(encoded + b"!", "payload")


# -- splitting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "parts"),
    [
        (b"a.b.c", (b"a.b", b"a", b"b", b"c")),
        (b"a.b.c.d", (b"a.b.c", b"a", b"b.c", b"d")),
        (b"..", (b".", b"", b"", b"")),
        (b"a..", (b"a.", b"a", b"", b"")),
    ],
)
def test_split(core: types.ModuleType, token: bytes, parts: tuple[bytes, ...]) -> None:
    assert core.split_token(token) == parts


@pytest.mark.parametrize("token", [b"", b".", b"abc", b"a.b"[:1], b"a.b"])
def test_split_not_enough_segments(core: types.ModuleType, token: bytes) -> None:
    if token.count(b".") >= 2:
        pytest.skip("has enough dots")
    with pytest.raises(DecodeError, match="^Not enough segments$") as info:
        core.split_token(token)
    assert isinstance(info.value.__cause__, ValueError)
    assert str(info.value.__cause__) == "not enough values to unpack (expected 2, got 1)"


# -- HMAC ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SHA256", "SHA384", "SHA512"])
@given(key=st.binary(max_size=300), msg=st.binary(max_size=600))
def test_hmac_matches_stdlib(core: types.ModuleType, name: str, key: bytes, msg: bytes) -> None:
    expected = hmac.new(key, msg, getattr(hashlib, name.lower())).digest()
    assert core.hmac_sign(name, key, msg) == expected
    assert core.hmac_verify(name, key, msg, expected)
    assert not core.hmac_verify(name, key, msg, expected[:-1])
    assert not core.hmac_verify(name, key, msg, bytes([expected[0] ^ 1]) + expected[1:])
    assert not core.hmac_verify(name, key, msg, b"")


def test_hmac_large_message(core: types.ModuleType) -> None:
    msg = b"x" * (1 << 20)
    assert core.hmac_sign("SHA256", b"k", msg) == hmac.new(b"k", msg, hashlib.sha256).digest()


def test_hmac_unknown_hash(core: types.ModuleType) -> None:
    with pytest.raises(KeyError):
        core.hmac_sign("MD5", b"k", b"m")


# -- JSON ------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


def outcome(func: Any, *args: Any) -> tuple[str, Any]:
    try:
        return ("ok", func(*args))
    except Exception as err:
        return ("error", (type(err), str(err)))


def same_json_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_json_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json_value(x, y) for x, y in zip(a, b))
    return bool(a == b)


@settings(max_examples=300)
@given(json_values)
def test_json_loads_of_dumped_values(core: types.ModuleType, value: Any) -> None:
    for text in (
        json.dumps(value),
        json.dumps(value, ensure_ascii=False),
        json.dumps(value, indent=1),
    ):
        data = text.encode("utf-8")
        assert same_json_value(core.json_loads(data), json.loads(data))


@settings(max_examples=500)
@given(
    st.binary(max_size=60)
    | st.text(
        alphabet='{}[]":,.-+eE0123456789 \t\n\r\\ubfnrt/aTFNIly\x00\x1fé\ud800', max_size=40
    ).map(lambda s: s.encode("utf-8", "surrogatepass"))
)
@example(b'{"a":1,"a":2,"b":3}')
@example(b'\xef\xbb\xbf{"a":1}')
@example(b'{"a":"\\ud83d\\ude00"}')
@example(b'{"a":"\xed\xa0\x80"}')
@example(b'{"a":NaN,"b":-Infinity}')
@example(b'{"a":1e400,"b":-0,"c":-0.0,"d":12345678901234567890123}')
@example(b"[" * 100 + b"]" * 100)
@example(b"[" * 100_000 + b"]" * 100_000)
@example(b'{"a":"\\/\\b\\f\\n\\r\\t\\"\\\\\\u00e9"}')
def test_json_loads_agrees(core: types.ModuleType, data: bytes) -> None:
    mine, theirs = outcome(core.json_loads, data), outcome(json.loads, data)
    assert mine[0] == theirs[0]
    if mine[0] == "ok":
        assert same_json_value(mine[1], theirs[1])
    else:
        assert mine[1] == theirs[1]


@settings(max_examples=300)
@given(json_values | st.floats() | st.dictionaries(st.text(), st.floats(), max_size=3))
@example({"exp": 10**30, "neg": -(2**63), "big": 2**63, "u": "\u2028\U0001f600\x7f\x00"})
@example((1, [2, (3,)]))
def test_json_dumps_agrees(core: types.ModuleType, value: Any) -> None:
    assert core.json_dumps(value) == json.dumps(value, separators=(",", ":")).encode()


def nested_lists(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


class StrSub(str):
    pass


class IntSub(int):
    pass


class DictSub(dict):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    "value",
    [
        {StrSub("k"): 1},
        {"k": IntSub(3)},
        DictSub(a=1),
        {1: "int key", None: "none key", False: "bool key", 2.5: "float key"},
        {"nested": [{"deep": [1, 2, {"x": StrSub("y")}]}]},
        nested_lists(70),
    ],
)
def test_json_dumps_unusual(core: types.ModuleType, value: Any) -> None:
    assert core.json_dumps(value) == json.dumps(value, separators=(",", ":")).encode()


@pytest.mark.parametrize("value", [{"a": object()}, {"a": b"bytes"}, {(1, 2): 3}])
def test_json_dumps_errors(core: types.ModuleType, value: Any) -> None:
    assert outcome(core.json_dumps, value) == outcome(
        lambda v: json.dumps(v, separators=(",", ":")).encode(), value
    )


def test_json_dumps_circular(core: types.ModuleType) -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="Circular reference detected"):
        core.json_dumps(loop)


class BytesSub(bytes):
    pass


@pytest.mark.parametrize(
    "call",
    [
        lambda c, v: c.split_token(v),
        lambda c, v: c.b64url_decode_segment(v, "payload"),
        lambda c, v: c.hmac_sign("SHA256", v, v),
        lambda c, v: c.hmac_verify("SHA256", v, v, v),
        lambda c, v: c.json_loads(v),
    ],
)
def test_bytes_subclasses_accepted_and_other_types_refused(
    core: types.ModuleType, call: Any
) -> None:
    assert outcome(call, core, BytesSub(b"e30.e30.e30")) == outcome(call, core, b"e30.e30.e30")
    for wrong in ("e30.e30.e30", bytearray(b"e30.e30.e30"), memoryview(b"e30"), None):
        with pytest.raises(TypeError, match="must be bytes, not"):
            call(core, wrong)


def test_json_dumps_every_low_code_point(core: types.ModuleType) -> None:
    text = "".join(map(chr, range(0x800))) + "\U0001f600\udfff"
    value = {"k": text, text: [text]}
    assert core.json_dumps(value) == json.dumps(value, separators=(",", ":")).encode()
